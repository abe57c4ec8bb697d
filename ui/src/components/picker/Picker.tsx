// The "Map" popover: a search field over every PSA company (or product) with a virtualised list —
// only the rows in view are in the DOM, so 10,000+ options filter and scroll without lag.
// Keyboard: ↑/↓ (and Page Up/Down, Home/End) move, Enter picks, Esc closes.
import type { RefObject } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { search, type SearchIndex, type SearchResult, type Searchable } from './search';
import { revealScrollTop, visibleRange } from './virtual';

/** Must equal the height of `.picker__option` in styles.css. */
export const ROW_HEIGHT = 34;
/** Fallback for the list's height (`.picker__list`) before it is measured. */
const DEFAULT_VIEWPORT = 306;

export type PickerProps<T extends Searchable> = {
  /** Null while the list is loading. */
  index: SearchIndex<T> | null;
  /** Accessible name and empty-state noun, e.g. "ConnectWise companies". */
  noun: string;
  /** Why the list could not be loaded, if it could not. */
  error: string | null;
  refreshing: boolean;
  /** The option already mapped to this row, highlighted in the list. */
  currentId: number | null;
  /** A short note shown on an option, e.g. "Mapped to Contoso HQ". */
  note?: (option: T) => string | null;
  /** Open upwards (the anchor is near the bottom of the window). */
  up: boolean;
  /** Clicks inside this element (the cell holding the trigger) do not close the picker. */
  boundary: RefObject<HTMLElement | null>;
  onPick: (option: T) => void;
  onRefresh: () => void;
  onClose: () => void;
};

export function Picker<T extends Searchable>(props: PickerProps<T>) {
  const { index, noun, error, refreshing, currentId, note, up, boundary, onPick, onRefresh, onClose } = props;
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(DEFAULT_VIEWPORT);
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const previous = useRef<{ index: SearchIndex<T>; result: SearchResult } | null>(null);

  const result = useMemo(() => {
    if (!index) return null;
    const prior = previous.current?.index === index ? previous.current.result : null;
    return search(index, query, prior);
  }, [index, query]);
  previous.current = index && result ? { index, result } : null;

  const ranked = result?.ranked ?? [];
  const count = ranked.length;

  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    input.current?.focus();
    root.current?.scrollIntoView?.({ block: 'nearest' });
  }, []);

  useLayoutEffect(() => {
    if (list.current && list.current.clientHeight > 0) setViewport(list.current.clientHeight);
  }, [index !== null]);

  // A new query (or a refreshed list) starts at the top; the unfiltered list opens at the
  // option already mapped, so "Change" shows where the row stands.
  useEffect(() => {
    const current = result && index && query.trim() === '' && currentId !== null
      ? result.ranked.findIndex((i) => index.items[i]!.id === currentId)
      : -1;
    const position = Math.max(0, current);
    const top = current > 0 ? Math.max(0, (position - 2) * ROW_HEIGHT) : 0;
    setActive(position);
    setScrollTop(top);
    if (list.current) list.current.scrollTop = top;
  }, [result]);

  useEffect(() => {
    const onPointer = (e: MouseEvent) => {
      const target = e.target as Node;
      if (boundary.current && !boundary.current.contains(target)) onClose();
    };
    document.addEventListener('mousedown', onPointer);
    return () => document.removeEventListener('mousedown', onPointer);
  }, [boundary, onClose]);

  const moveTo = (next: number) => {
    if (count === 0) return;
    const clamped = Math.min(count - 1, Math.max(0, next));
    setActive(clamped);
    const top = revealScrollTop(clamped, list.current?.scrollTop ?? scrollTop, viewport, ROW_HEIGHT);
    if (list.current && list.current.scrollTop !== top) list.current.scrollTop = top;
    setScrollTop(top);
  };

  const pick = (position: number) => {
    const i = ranked[position];
    if (index && i !== undefined) onPick(index.items[i]!);
  };

  const page = Math.max(1, Math.floor(viewport / ROW_HEIGHT) - 1);
  const onKeyDown = (e: KeyboardEvent) => {
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(active + 1),
      ArrowUp: () => moveTo(active - 1),
      PageDown: () => moveTo(active + page),
      PageUp: () => moveTo(active - page),
      Enter: () => pick(active),
      Escape: onClose,
    };
    if ((e.key === 'Home' || e.key === 'End') && e.ctrlKey) {
      e.preventDefault();
      moveTo(e.key === 'Home' ? 0 : count - 1);
      return;
    }
    const action = keys[e.key];
    if (!action) return;
    e.preventDefault();
    e.stopPropagation(); // Esc closes the picker, not a surrounding dialog
    action();
  };

  const { start, end } = visibleRange(scrollTop, viewport, ROW_HEIGHT, count, 6);
  const activeId = index && ranked[active] !== undefined ? index.items[ranked[active]!]!.id : null;

  return (
    <div ref={root} class={up ? 'picker picker--up' : 'picker'} role="dialog" aria-label={`Choose from ${noun}`} data-testid="picker">
      <div class="picker__search">
        <input
          ref={input}
          type="search"
          class="input picker__input"
          placeholder={`Search ${noun}`}
          aria-label={`Search ${noun}`}
          role="combobox"
          list={undefined} // Preact's typings require it beside role=combobox; the listbox is aria-controls
          aria-expanded="true"
          aria-controls="picker-listbox"
          aria-autocomplete="list"
          aria-activedescendant={activeId !== null ? `picker-option-${activeId}` : undefined}
          autocomplete="off"
          spellcheck={false}
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
          onKeyDown={onKeyDown}
          data-testid="picker-input"
        />
      </div>
      <div class="picker__meta">
        <span data-testid="picker-count">
          {index ? `${count.toLocaleString()} of ${index.items.length.toLocaleString()}` : ''}
        </span>
        <button type="button" class="link-button" disabled={refreshing} onClick={onRefresh} data-testid="picker-refresh">
          {refreshing ? 'Refreshing…' : 'Refresh list'}
        </button>
      </div>
      {index && error && (
        <p class="picker__error" role="alert" data-testid="picker-error">
          {error}
        </p>
      )}
      <div
        ref={list}
        id="picker-listbox"
        data-testid="picker-list"
        class="picker__list"
        role="listbox"
        aria-label={noun}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      >
        {!index ? (
          <p class="picker__empty" role={error ? 'alert' : 'status'}>
            {error ?? `Loading ${noun}…`}
          </p>
        ) : count === 0 ? (
          <p class="picker__empty" role="status">
            {index.items.length === 0 ? `No ${noun} found in the PSA.` : `No ${noun} match “${query.trim()}”.`}
          </p>
        ) : (
          <div class="picker__spacer" style={{ height: `${count * ROW_HEIGHT}px` }}>
            <div class="picker__window" style={{ transform: `translateY(${start * ROW_HEIGHT}px)` }}>
              {ranked.slice(start, end).map((i, offset) => {
                const option = index.items[i]!;
                const position = start + offset;
                const extra = option.id === currentId ? 'Current' : (note?.(option) ?? null);
                const classes = ['picker__option'];
                if (position === active) classes.push('picker__option--active');
                if (option.id === currentId) classes.push('picker__option--current');
                return (
                  <div
                    key={option.id}
                    id={`picker-option-${option.id}`}
                    role="option"
                    aria-selected={position === active}
                    class={classes.join(' ')}
                    title={option.identifier ? `${option.name} (${option.identifier})` : option.name}
                    data-testid={`picker-option-${option.id}`}
                    onMouseDown={(e) => e.preventDefault()} // keep focus in the search field
                    onMouseMove={() => position !== active && setActive(position)}
                    onClick={() => pick(position)}
                  >
                    <span class="picker__name">{option.name}</span>
                    {option.identifier && <span class="picker__identifier">{option.identifier}</span>}
                    {extra && <span class="picker__note">{extra}</span>}
                  </div>
                );
              })}
            </div>
          </div>
        )}
      </div>
    </div>
  );
}
