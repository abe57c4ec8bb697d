// "Add connector" button with its small chooser: ConnectWise PSA or Autotask PSA.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { PsaKind } from '../../bindings/PsaKind';
import { psaName } from '../../format/connector';
import { PsaMark } from './PsaMark';

const KINDS: PsaKind[] = ['connectwise', 'autotask'];

type Props = { onChoose: (kind: PsaKind) => void; align?: 'center' | 'end' };

export function AddConnectorMenu({ onChoose, align = 'end' }: Props) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const items = useRef<Array<HTMLButtonElement | null>>([]);

  useEffect(() => {
    if (!open) return;
    items.current[0]?.focus();
    const onPointer = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onPointer);
    return () => document.removeEventListener('mousedown', onPointer);
  }, [open]);

  const onKeyDown = (e: KeyboardEvent) => {
    if (!open) return;
    if (e.key === 'Escape') {
      e.preventDefault();
      setOpen(false);
      trigger.current?.focus();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const index = items.current.findIndex((el) => el === document.activeElement);
      const step = e.key === 'ArrowDown' ? 1 : -1;
      items.current[(index + step + KINDS.length) % KINDS.length]?.focus();
    }
  };

  const choose = (kind: PsaKind) => {
    setOpen(false);
    onChoose(kind);
  };

  return (
    <div class="menu" ref={root} onKeyDown={onKeyDown}>
      <button
        ref={trigger}
        type="button"
        class="button button--primary"
        aria-haspopup="menu"
        aria-expanded={open}
        data-testid="add-connector"
        onClick={() => setOpen(!open)}
      >
        <span class="button__plus" aria-hidden="true">
          +
        </span>
        Add connector
      </button>
      {open && (
        <div
          class={`menu__popover menu__popover--${align}`}
          role="menu"
          aria-label="Add PSA connection"
          data-testid="add-connector-menu"
        >
          <p class="menu__heading">Add PSA connection</p>
          {KINDS.map((kind, i) => (
            <button
              key={kind}
              type="button"
              role="menuitem"
              class="menu__item"
              data-testid={`add-connector-${kind}`}
              ref={(el) => {
                items.current[i] = el;
              }}
              onClick={() => choose(kind)}
            >
              <PsaMark kind={kind} />
              {psaName(kind)}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
