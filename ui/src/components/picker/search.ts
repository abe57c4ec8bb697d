// Search-as-you-type over a PSA's full company or product list (10,000+ names). Pure: the index
// is built once per list (normalised text, sorted by name); each keystroke is a linear scan of
// plain lowercase strings — and only of the previous matches while the query grows.

/** What the pickers search: a PSA company or product. */
export type Searchable = { id: number; name: string; identifier: string | null };

export type SearchIndex<T extends Searchable> = {
  /** The options sorted by name (locale-aware, case-insensitive). */
  readonly items: readonly T[];
  /** Normalised name of items[i]. */
  readonly names: readonly string[];
  /** Normalised "name identifier" of items[i]: what a query token must occur in. */
  readonly keys: readonly string[];
};

/** Result of one search: positions into `index.items`. */
export type SearchResult = {
  /** The normalised query it answers. */
  readonly query: string;
  /** Matching positions in index order (the candidates for a longer query). */
  readonly matches: readonly number[];
  /** The same positions, best first: name starts with the query, then a word starts with it, then the rest. */
  readonly ranked: readonly number[];
};

const COMBINING_MARKS = /\p{M}+/gu;
const SPACES = /\s+/g;

/** Lowercase, accents removed ("Société" → "societe"), whitespace collapsed and trimmed. */
export function normalise(text: string): string {
  return text.normalize('NFKD').replace(COMBINING_MARKS, '').toLowerCase().replace(SPACES, ' ').trim();
}

export function buildIndex<T extends Searchable>(options: readonly T[]): SearchIndex<T> {
  const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
  const items = [...options].sort((a, b) => collator.compare(a.name, b.name) || a.id - b.id);
  const names = items.map((o) => normalise(o.name));
  const keys = items.map((o, i) => (o.identifier ? `${names[i]} ${normalise(o.identifier)}` : names[i]!));
  return { items, names, keys };
}

/**
 * Positions of the options whose name or identifier contains every word of `query`, best first.
 * Pass the previous result when the user typed more: when the new query extends the old one its
 * matches are a subset of the old ones, so only those are scanned.
 */
export function search<T extends Searchable>(
  index: SearchIndex<T>,
  query: string,
  previous: SearchResult | null = null,
): SearchResult {
  const q = normalise(query);
  if (q === '') {
    const all = index.items.map((_, i) => i);
    return { query: q, matches: all, ranked: all };
  }
  const tokens = q.split(' ');
  const candidates = previous && previous.query !== '' && q.startsWith(previous.query) ? previous.matches : null;
  const matches: number[] = [];
  const prefix: number[] = [];
  const wordStart: number[] = [];
  const inside: number[] = [];
  const wordToken = ` ${tokens[0]!}`;
  const consider = (i: number) => {
    const key = index.keys[i]!;
    for (const token of tokens) if (!key.includes(token)) return;
    matches.push(i);
    const name = index.names[i]!;
    if (name.startsWith(q)) prefix.push(i);
    else if (name.includes(wordToken)) wordStart.push(i);
    else inside.push(i);
  };
  if (candidates) for (const i of candidates) consider(i);
  else for (let i = 0; i < index.keys.length; i++) consider(i);
  return { query: q, matches, ranked: prefix.concat(wordStart, inside) };
}
