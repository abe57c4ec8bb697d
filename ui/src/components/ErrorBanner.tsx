// The one place failures are shown: message first, code small, dismissible.
import type { ApiError } from '../bindings/ApiError';

type Props = { error: ApiError | null; onDismiss: () => void };

export function ErrorBanner({ error, onDismiss }: Props) {
  if (!error) return null;
  return (
    <div class="error-banner" role="alert" data-testid="error-banner">
      <span class="error-banner__icon" aria-hidden="true">!</span>
      <div class="error-banner__body">
        <p class="error-banner__message" data-testid="error-banner-message">
          {error.message}
        </p>
        <p class="error-banner__code">
          Error code: <code data-testid="error-banner-code">{error.code}</code>
        </p>
      </div>
      <button
        type="button"
        class="icon-button error-banner__dismiss"
        aria-label="Dismiss error"
        title="Dismiss"
        data-testid="error-banner-dismiss"
        onClick={onDismiss}
      >
        ×
      </button>
    </div>
  );
}
