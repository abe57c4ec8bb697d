// "Are you sure?" for actions that cannot be undone from the app.
import type { ComponentChildren } from 'preact';
import { Modal } from './Modal';

type Props = {
  title: string;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  children: ComponentChildren;
};

export function ConfirmDialog({ title, confirmLabel, busy = false, onConfirm, onCancel, children }: Props) {
  return (
    <Modal title={title} testId="confirm-dialog" onClose={onCancel} closeOnBackdrop>
      <div class="modal__body">{children}</div>
      <footer class="modal__footer">
        <button type="button" class="button" data-autofocus onClick={onCancel} data-testid="confirm-cancel">
          Cancel
        </button>
        <button
          type="button"
          class="button button--danger"
          disabled={busy}
          onClick={onConfirm}
          data-testid="confirm-accept"
        >
          {confirmLabel}
        </button>
      </footer>
    </Modal>
  );
}
