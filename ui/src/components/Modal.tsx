// A modal dialog: backdrop, title row, Esc to close, focus kept inside while it is open.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

type Props = {
  title: string;
  /** Shown before the title (e.g. the PSA mark). */
  icon?: ComponentChildren;
  testId: string;
  onClose: () => void;
  /** Forms keep their typed values: a stray click on the backdrop does not close them. */
  closeOnBackdrop?: boolean;
  /** Extra attributes for tests, e.g. `{ 'data-kind': 'autotask' }`. */
  data?: Record<string, string>;
  /** For lists and tables (the review of held changes, imports): a wider dialog. */
  wide?: boolean;
  children: ComponentChildren;
};

const FOCUSABLE =
  'input:not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled]), a[href], summary, [tabindex]:not([tabindex="-1"])';

let nextId = 0;

export function Modal({ title, icon, testId, onClose, closeOnBackdrop = false, data, wide = false, children }: Props) {
  const dialog = useRef<HTMLDivElement>(null);
  const titleId = useRef(`modal-title-${++nextId}`).current;
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const first = dialog.current?.querySelector<HTMLElement>('[data-autofocus]') ?? focusables()[0];
    first?.focus();

    function focusables(): HTMLElement[] {
      return dialog.current ? [...dialog.current.querySelectorAll<HTMLElement>(FOCUSABLE)] : [];
    }
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onCloseRef.current();
      } else if (e.key === 'Tab') {
        const items = focusables();
        if (items.length === 0) return;
        const firstItem = items[0]!;
        const lastItem = items[items.length - 1]!;
        if (e.shiftKey && document.activeElement === firstItem) {
          e.preventDefault();
          lastItem.focus();
        } else if (!e.shiftKey && document.activeElement === lastItem) {
          e.preventDefault();
          firstItem.focus();
        }
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      previous?.focus?.();
    };
  }, []);

  return (
    <div
      class="modal-backdrop"
      onMouseDown={(e) => {
        if (closeOnBackdrop && e.target === e.currentTarget) onClose();
      }}
    >
      <div ref={dialog} class={wide ? 'modal modal--wide' : 'modal'} role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid={testId} {...data}>
        <header class="modal__header">
          {icon}
          <h2 id={titleId} class="modal__title">
            {title}
          </h2>
        </header>
        {children}
      </div>
    </div>
  );
}
