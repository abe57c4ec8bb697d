// The PSA column of a mapping row: the mapped company/product with Change and Unmap, or a Map
// button — plus a suggestion to accept with one click (never applied by itself) and a red
// explanation when the mapped company/product has disappeared from the PSA.
import { useCallback, useRef, useState } from 'preact/hooks';
import { Picker } from '../../components/picker/Picker';
import type { PickOption, Suggestion } from '../../ipc';
import { suggestionText } from '../../format/mapping';
import type { Options } from './useMapping';

/** Height the open picker needs below its trigger; otherwise it opens upwards. */
const PICKER_HEIGHT = 420;

type Props = {
  /** `workspace` or `service`: the test-id prefix. */
  prefix: string;
  /** The row's id, the test-id suffix. */
  rowKey: string;
  /** data-testid of the element naming the mapped company/product. */
  valueTestId: string;
  mapped: PickOption | null;
  stale: boolean;
  staleText: string;
  suggestion: Suggestion | null;
  /** Plural noun for the picker, e.g. "ConnectWise companies". */
  noun: string;
  options: Options;
  busy: boolean;
  note?: (option: PickOption) => string | null;
  onPick: (option: PickOption) => void;
  onUnmap: () => void;
};

export function MappingCell(props: Props) {
  const { prefix, rowKey, valueTestId, mapped, stale, staleText, suggestion, noun, options, busy } = props;
  const [open, setOpen] = useState(false);
  const [up, setUp] = useState(false);
  const cell = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);

  const close = useCallback(() => {
    setOpen(false);
    trigger.current?.focus();
  }, []);

  const toggle = () => {
    if (open) return close();
    const rect = trigger.current?.getBoundingClientRect();
    setUp(rect !== undefined && rect.bottom + PICKER_HEIGHT > window.innerHeight && rect.top > PICKER_HEIGHT);
    setOpen(true);
  };

  const pick = (option: PickOption) => {
    setOpen(false);
    if (option.id !== mapped?.id || stale) props.onPick(option);
  };

  return (
    <div class="map-cell" ref={cell}>
      {mapped ? (
        <div class={stale ? 'map-cell__value map-cell__value--stale' : 'map-cell__value'}>
          <span class="map-cell__name" data-testid={valueTestId} data-id={mapped.id} data-stale={stale}>
            {mapped.name}
            {mapped.identifier && <span class="map-cell__identifier">{mapped.identifier}</span>}
          </span>
        </div>
      ) : (
        <span class="map-cell__unmapped muted" data-testid={valueTestId}>
          Not mapped
        </span>
      )}

      <div class="map-cell__actions">
        <button
          ref={trigger}
          type="button"
          class={mapped && !stale ? 'button button--small' : 'button button--small button--accent'}
          aria-haspopup="dialog"
          aria-expanded={open}
          disabled={busy}
          onClick={toggle}
          data-testid={`${prefix}-map-${rowKey}`}
        >
          {mapped ? (stale ? 'Map again' : 'Change') : 'Map'}
          <span class="button__caret" aria-hidden="true" />
        </button>
        {mapped && (
          <button
            type="button"
            class="button button--small button--quiet"
            disabled={busy}
            onClick={props.onUnmap}
            data-testid={`${prefix}-unmap-${rowKey}`}
          >
            Unmap
          </button>
        )}
        {busy && (
          <span class="spinner" role="status" aria-label="Saving" />
        )}
      </div>

      {stale && mapped && (
        <p class="map-cell__stale" role="note" data-testid={`${prefix}-stale-${rowKey}`}>
          {staleText}
        </p>
      )}

      {!mapped && suggestion && (
        <div class="map-cell__suggestion" data-testid={`${prefix}-suggestion-${rowKey}`}>
          <span>{suggestionText(suggestion)}</span>
          <button
            type="button"
            class="link-button"
            disabled={busy}
            onClick={() => props.onPick({ id: suggestion.id, name: suggestion.name, identifier: null })}
            data-testid={`${prefix}-accept-${rowKey}`}
          >
            Accept
          </button>
        </div>
      )}

      {open && (
        <Picker
          index={options.index}
          noun={noun}
          error={options.error}
          refreshing={options.refreshing}
          currentId={mapped?.id ?? null}
          note={props.note}
          up={up}
          boundary={cell}
          onPick={pick}
          onRefresh={options.refresh}
          onClose={close}
        />
      )}
    </div>
  );
}
