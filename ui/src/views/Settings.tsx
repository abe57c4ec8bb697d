// Settings: the Coro channel connection, the daily sync (time, pause, notifications, the safety
// limit on decreases), the ConnectWise clientId, and where the app keeps its data.
import { useEffect, useState } from 'preact/hooks';
import type { AppInfo } from '../bindings/AppInfo';
import { PageHeader } from '../components/PageHeader';
import { Toggle } from '../components/Toggle';
import { formOf, settingsOf, type SettingsForm } from '../format/settings';
import { coroStatus, getSettings, saveSettings, toApiError } from '../ipc';
import { useAppEvents } from '../useAppEvents';
import { useLoad } from '../useLoad';
import { CoroCard } from './settings/CoroCard';
import { DiagnosticsRow } from './settings/Diagnostics';
import { LaunchAtLogin } from './settings/LaunchAtLogin';

export function SettingsView({ info }: { info: AppInfo | null }) {
  const [coro, reloadCoro] = useLoad(coroStatus);
  const status = coro.data;
  return (
    <section class="view" data-testid="view-settings">
      <PageHeader title="Settings" />
      <div class="settings">
        <CoroCard status={status} onConnected={reloadCoro} />
        <SyncCard />
        <LaunchAtLogin />
        <div class="card card--padded settings__card">
          <h2 class="card__title">About</h2>
          <dl class="facts">
            <dt>Version</dt>
            <dd data-testid="settings-version">{info?.version ?? '—'}</dd>
            <dt>Build</dt>
            <dd>
              <code data-testid="settings-commit">{info?.commit ?? '—'}</code>
            </dd>
            <dt>Data folder</dt>
            <dd>
              <code class="path" data-testid="settings-data-dir">
                {info?.data_dir ?? '—'}
              </code>
            </dd>
            <dt>Mode</dt>
            <dd data-testid="settings-mode">{info ? (info.sandbox ? 'Sandbox (simulated services)' : 'Live') : '—'}</dd>
            <dt>Coro</dt>
            <dd data-testid="settings-coro">
              {status ? (status.connected ? 'Connected' : 'Not connected') : info ? (info.coro_connected ? 'Connected' : 'Not connected') : '—'}
            </dd>
          </dl>
          <p class="muted settings__note">
            Keys and secrets are kept in the operating system's keychain; the data folder holds connectors, mappings and
            run history only.
          </p>
          <DiagnosticsRow />
        </div>
      </div>
    </section>
  );
}

// ---------------------------------------------------------------- daily sync and PSA settings

function SyncCard() {
  const [loaded, reload] = useLoad(getSettings);
  const [form, setForm] = useState<SettingsForm | null>(null);
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<{ field: string | null; message: string } | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    if (loaded.state === 'ready' && !dirty) setForm(formOf(loaded.data));
  }, [loaded]);
  // The tray can pause the daily sync too: follow it unless there are unsaved edits.
  useAppEvents((e) => {
    if (e.kind === 'settings_changed' && !dirty && !saving) reload();
  });

  if (!form) {
    return (
      <div class="card card--padded settings__card muted">
        {loaded.state === 'failed' ? `Settings couldn't be loaded: ${loaded.error.message}` : 'Loading settings…'}
      </div>
    );
  }

  const set = (patch: Partial<SettingsForm>) => {
    setForm({ ...form, ...patch });
    setDirty(true);
    setSaved(false);
  };

  const save = (e: Event) => {
    e.preventDefault();
    const checked = settingsOf(form);
    if (!checked.ok) {
      setError({ field: checked.field, message: checked.message });
      return;
    }
    setError(null);
    setSaving(true);
    saveSettings(checked.settings).then(
      (s) => {
        setSaving(false);
        setDirty(false);
        setSaved(true);
        setForm(formOf(s));
      },
      (err: unknown) => {
        setSaving(false);
        setError({ field: null, message: toApiError(err).message });
      },
    );
  };

  const invalid = (field: keyof SettingsForm) => (error?.field === field ? 'input input--invalid' : 'input');

  return (
    <form class="card card--padded settings__card" onSubmit={save} noValidate data-testid="settings-form">
      <h2 class="card__title">Daily sync</h2>
      <fieldset class="form__fields" disabled={saving}>
        <div class="form__grid">
          <label class="field">
            <span class="field__label">Sync every day at</span>
            <input
              type="time"
              step={60}
              required
              class={`${invalid('time')} input--short`}
              aria-describedby="settings-time-help"
              aria-invalid={error?.field === 'time'}
              value={form.time}
              onInput={(e) => set({ time: e.currentTarget.value })}
              data-testid="settings-time"
            />
            <FieldError error={error} field="time" />
            <span id="settings-time-help" class="field__help">
              Local time. A missed run catches up at the next start.
            </span>
          </label>
          <label class="field">
            <span class="field__label">Largest automatic decrease</span>
            <span class="input-suffix">
              <input
                type="text"
                inputMode="decimal"
                class={`${invalid('maxDecreasePercent')} input--short`}
                aria-describedby="settings-max-decrease-help"
                value={form.maxDecreasePercent}
                onInput={(e) => set({ maxDecreasePercent: e.currentTarget.value })}
                data-testid="settings-max-decrease"
              />
            <FieldError error={error} field="maxDecreasePercent" />
              <span class="input-suffix__text">%</span>
            </span>
            <span id="settings-max-decrease-help" class="field__help">
              A scheduled decrease larger than this share of the billed quantity (or to zero) is held for your approval.
            </span>
          </label>
          <label class="field">
            <span class="field__label">Hold increases to more than</span>
            <span class="input-suffix">
              <input
                type="text"
                inputMode="decimal"
                class={`${invalid('maxIncreaseFactor')} input--short`}
                aria-describedby="settings-increase-help"
                value={form.maxIncreaseFactor}
                onInput={(e) => set({ maxIncreaseFactor: e.currentTarget.value })}
                data-testid="settings-max-increase-factor"
              />
            <FieldError error={error} field="maxIncreaseFactor" />
              <span class="input-suffix__text">×</span>
            </span>
          </label>
          <label class="field">
            <span class="field__label">…and by at least</span>
            <span class="input-suffix">
              <input
                type="text"
                inputMode="numeric"
                class={`${invalid('minIncreaseUnits')} input--short`}
                aria-describedby="settings-increase-help"
                value={form.minIncreaseUnits}
                onInput={(e) => set({ minIncreaseUnits: e.currentTarget.value })}
                data-testid="settings-min-increase-units"
              />
            <FieldError error={error} field="minIncreaseUnits" />
              <span class="input-suffix__text">units</span>
            </span>
            <span id="settings-increase-help" class="field__help">
              A jump this large is more often a data glitch than growth: it is held for your approval, as are counts
              Coro gave only as a workspace-wide total.
            </span>
          </label>
        </div>
        <Toggle
          label="Pause daily sync"
          help="Nothing is synced on schedule while paused; Sync now and previews still work."
          checked={form.paused}
          onChange={(paused) => set({ paused })}
          testId="settings-paused"
        />
        <Toggle
          label="Notify after successful runs"
          help="Failed runs and held decreases always notify."
          checked={form.notifySuccess}
          onChange={(notifySuccess) => set({ notifySuccess })}
          testId="settings-notify-success"
        />

        <h2 class="card__title card__title--section">ConnectWise</h2>
        <label class="field">
          <span class="field__label">clientId</span>
          <input
            type="text"
            class={invalid('clientId')}
            autocomplete="off"
            spellcheck={false}
            placeholder="e.g. 0b8e7b5c-…"
            aria-describedby="settings-client-id-help"
            value={form.clientId}
            onInput={(e) => set({ clientId: e.currentTarget.value })}
            data-testid="settings-client-id"
          />
          <FieldError error={error} field="clientId" />
          <span id="settings-client-id-help" class="field__help">
            The clientId of your ConnectWise integration (developer.connectwise.com), sent with every ConnectWise request.
          </span>
        </label>
      </fieldset>

      {error && error.field === null && (
        <div class="form-error" role="alert" data-testid="settings-error">
          {error.message}
        </div>
      )}
      <div class="card__actions">
        {saved && !dirty && (
          <span class="saved" role="status" data-testid="settings-saved">
            Saved
          </span>
        )}
        <button type="submit" class="button button--primary" disabled={saving} data-testid="settings-save">
          {saving ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}

/** A field's own error, right under it. */
function FieldError({ error, field }: { error: { field: string | null; message: string } | null; field: string }) {
  if (error?.field !== field) return null;
  return (
    <span class="field__error" role="alert" data-testid={`settings-error-${field}`}>
      {error.message}
    </span>
  );
}
