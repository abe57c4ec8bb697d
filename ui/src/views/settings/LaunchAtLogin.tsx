// Settings → Launch at login: the same switch as the tray menu's, applied at once (no Save).
import { useEffect, useState } from 'preact/hooks';
import { launchAtLogin, setLaunchAtLogin, toApiError } from '../../ipc';

export function LaunchAtLogin() {
  const [on, setOn] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    launchAtLogin().then(setOn, (e: unknown) => setError(toApiError(e).message));
  }, []);

  const change = (want: boolean) => {
    setBusy(true);
    setError(null);
    setLaunchAtLogin(want)
      .then(setOn, (e: unknown) => setError(toApiError(e).message))
      .finally(() => setBusy(false));
  };

  return (
    <div class="card card--padded settings__card" data-testid="launch-at-login-card">
      <h2 class="card__title">Start-up</h2>
      <label class="toggle">
        <input
          type="checkbox"
          role="switch"
          class="toggle__input"
          checked={on === true}
          disabled={on === null || busy}
          onChange={(e) => change(e.currentTarget.checked)}
          data-testid="settings-launch-at-login"
        />
        <span class="toggle__track" aria-hidden="true" />
        <span class="toggle__text">
          <span class="toggle__label">Launch at login</span>
          <span class="field__help">
            Start PSA Bridge in the tray when you sign in, so the daily sync runs without opening the app. The tray
            menu has the same switch.
          </span>
        </span>
      </label>
      {error && (
        <div class="form-error" role="alert" data-testid="launch-at-login-error">
          {error}
        </div>
      )}
    </div>
  );
}
