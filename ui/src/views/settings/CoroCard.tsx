// Settings → Coro: the channel connection (region or URL, API client id and secret, channel
// workspace), checked live before it is saved.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Pill } from '../../components/Pill';
import { REGIONS, coroStatusText, regionChoice, regionValue, type RegionChoice } from '../../format/settings';
import { coroConnect, sandboxDefaults, toApiError, type CoroStatus } from '../../ipc';

// ---------------------------------------------------------------- Coro connection

type CoroForm = { region: RegionChoice; url: string; clientId: string; secret: string; channel: string };

function coroFormOf(s: CoroStatus | null): CoroForm {
  const { choice, url } = regionChoice(s?.region, s?.base_url);
  return { region: choice, url, clientId: s?.client_id ?? '', secret: '', channel: s?.channel ?? '' };
}

export function CoroCard({ status, onConnected }: { status: CoroStatus | null; onConnected: () => void }) {
  const [form, setForm] = useState<CoroForm>(() => coroFormOf(status));
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [current, setCurrent] = useState<CoroStatus | null>(status);
  const touched = useRef(false);

  // Show the stored connection once it is loaded (unless the operator already started typing);
  // not connected in sandbox mode: start from the demo credentials.
  useEffect(() => {
    if (!status) return;
    setCurrent(status);
    if (touched.current) return;
    if (status.connected) {
      setForm(coroFormOf(status));
      return;
    }
    let active = true;
    sandboxDefaults().then(
      (d) => {
        if (!active || !d || touched.current) return;
        const { choice, url } = regionChoice(d.coro_region);
        setForm({ region: choice, url, clientId: d.coro_client_id, secret: d.coro_client_secret, channel: d.coro_channel });
      },
      () => {},
    );
    return () => {
      active = false;
    };
  }, [status]);

  const set = (patch: Partial<CoroForm>) => {
    touched.current = true;
    setForm((f) => ({ ...f, ...patch }));
  };

  const connect = (e: Event) => {
    e.preventDefault();
    const region = regionValue(form.region, form.url);
    const missing =
      region === ''
        ? 'Enter the Coro API URL.'
        : form.clientId.trim() === ''
          ? 'Enter the Client ID.'
          : form.secret === ''
            ? 'Enter the Client secret.'
            : form.channel.trim() === ''
              ? 'Enter the Channel workspace ID.'
              : null;
    if (missing) {
      setError(missing);
      return;
    }
    setError(null);
    setChecking(true);
    coroConnect({ region, client_id: form.clientId.trim(), client_secret: form.secret, channel: form.channel.trim() }).then(
      (s) => {
        setChecking(false);
        setCurrent(s);
        touched.current = false;
        setForm(coroFormOf(s));
        onConnected();
      },
      (err: unknown) => {
        setChecking(false);
        setError(toApiError(err).message);
      },
    );
  };

  return (
    <form class="card card--padded settings__card" onSubmit={connect} noValidate data-testid="coro-form">
      <div class="card__head">
        <h2 class="card__title">Coro connection</h2>
        <span data-testid="coro-status" data-connected={current?.connected ?? false}>
          <Pill tone={current?.connected ? 'success' : current ? 'warning' : 'neutral'}>{coroStatusText(current)}</Pill>
        </span>
      </div>
      <p class="muted card__intro">
        An API credential created in your channel workspace (Control Panel › Connectors › API Credentials). PSA Bridge
        reads the usage of every child workspace with it.
      </p>
      <fieldset class="form__fields form__grid" disabled={checking}>
        <label class="field field--wide">
          <span class="field__label">Region</span>
          <select
            class="select"
            value={form.region}
            onChange={(e) => set({ region: e.currentTarget.value as RegionChoice })}
            data-testid="coro-region"
          >
            {REGIONS.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        {form.region === 'custom' && (
          <label class="field">
            <span class="field__label">API URL</span>
            <input
              type="url"
              class="input"
              placeholder="https://api.secure.coro.net"
              value={form.url}
              onInput={(e) => set({ url: e.currentTarget.value })}
              data-testid="coro-url"
            />
          </label>
        )}
        <label class="field">
          <span class="field__label">Client ID</span>
          <input
            type="text"
            class="input"
            autocomplete="off"
            spellcheck={false}
            value={form.clientId}
            onInput={(e) => set({ clientId: e.currentTarget.value })}
            data-testid="coro-client-id"
          />
        </label>
        <label class="field">
          <span class="field__label">Client secret</span>
          <input
            type="password"
            class="input"
            autocomplete="new-password"
            placeholder={current?.connected ? 'Stored; type it again to reconnect' : undefined}
            value={form.secret}
            onInput={(e) => set({ secret: e.currentTarget.value })}
            data-testid="coro-secret"
          />
        </label>
        <label class="field">
          <span class="field__label">Channel workspace ID</span>
          <input
            type="text"
            class="input"
            autocomplete="off"
            spellcheck={false}
            value={form.channel}
            onInput={(e) => set({ channel: e.currentTarget.value })}
            data-testid="coro-channel"
          />
        </label>
      </fieldset>
      {error && (
        <div class="form-error" role="alert" data-testid="coro-error">
          {error}
        </div>
      )}
      <div class="card__actions">
        <button type="submit" class="button button--primary" disabled={checking} data-testid="coro-connect">
          {checking && <span class="spinner spinner--light" aria-hidden="true" />}
          {checking ? 'Checking credentials…' : current?.connected ? 'Reconnect' : 'Connect'}
        </button>
      </div>
    </form>
  );
}
