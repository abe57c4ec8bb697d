// The slot for the "Add ConnectWise connector" / "Add Autotask connector" dialogs.
// For now it says what will be asked for, using the labels of the vendor guides.
import { useEffect, useRef } from 'preact/hooks';
import type { PsaKind } from '../../bindings/PsaKind';
import { PsaMark } from './PsaMark';

const DIALOGS: Record<PsaKind, { title: string; fields: string[] }> = {
  connectwise: {
    title: 'Add ConnectWise connector',
    fields: ['Company name', 'ConnectWise domain', 'Public key', 'Private key'],
  },
  autotask: {
    title: 'Add Autotask connector',
    fields: ['User name', 'Secret'],
  },
};

type Props = { kind: PsaKind; onClose: () => void };

export function AddConnectorDialog({ kind, onClose }: Props) {
  const { title, fields } = DIALOGS[kind];
  const closeButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    closeButton.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <div
      class="modal-backdrop"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div
        class="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="add-connector-title"
        data-testid="add-connector-dialog"
        data-kind={kind}
      >
        <header class="modal__header">
          <PsaMark kind={kind} />
          <h2 id="add-connector-title" class="modal__title">
            {title}
          </h2>
        </header>
        <p>Connecting from this app is coming soon. The connector will ask for:</p>
        <ul class="modal__list">
          {fields.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
        <p class="muted">Secrets will be stored in the operating system's keychain, never in the app's database.</p>
        <footer class="modal__footer">
          <button ref={closeButton} type="button" class="button" data-testid="add-connector-close" onClick={onClose}>
            Close
          </button>
        </footer>
      </div>
    </div>
  );
}
