import { describe, expect, it } from 'vitest';
import { buildIndex, normalise, search, type Searchable } from './search';

const opt = (id: number, name: string, identifier: string | null = null): Searchable => ({ id, name, identifier });

const OPTIONS = [
  opt(1, 'Northwind Traders', 'NorthwindT'),
  opt(2, 'Contoso Ltd', 'Contoso'),
  opt(3, 'Adventure Works', null),
  opt(4, 'Société Générale Paris', 'SGP'),
  opt(5, 'The Northwind Group', null),
  opt(6, 'Fabrikam North', 'FAB-01'),
  opt(7, 'contoso (old)', null),
];

const names = (index: ReturnType<typeof buildIndex>, query: string) =>
  search(index, query).ranked.map((i) => index.items[i]!.name);

describe('normalise', () => {
  it('lowercases, strips accents and collapses spaces', () => {
    expect(normalise('  Société   Générale ')).toBe('societe generale');
    expect(normalise('ÅNGSTRÖM\tAB')).toBe('angstrom ab');
    expect(normalise('')).toBe('');
  });
});

describe('buildIndex', () => {
  it('sorts by name, case-insensitively', () => {
    const index = buildIndex(OPTIONS);
    expect(index.items.map((o) => o.id)).toEqual([3, 7, 2, 6, 1, 4, 5]);
  });
  it('does not change the list it was given', () => {
    const list = [...OPTIONS];
    buildIndex(list);
    expect(list).toEqual(OPTIONS);
  });
});

describe('search', () => {
  const index = buildIndex(OPTIONS);

  it('returns everything, in name order, for an empty query', () => {
    expect(names(index, '   ')).toHaveLength(OPTIONS.length);
    expect(names(index, '')[0]).toBe('Adventure Works');
  });

  it('ranks name prefix, then word start, then anywhere', () => {
    expect(names(index, 'north')).toEqual(['Northwind Traders', 'Fabrikam North', 'The Northwind Group']);
    expect(names(index, 'orth')).toEqual(['Fabrikam North', 'Northwind Traders', 'The Northwind Group']);
  });

  it('needs every word, in any order', () => {
    expect(names(index, 'traders north')).toEqual(['Northwind Traders']);
    expect(names(index, 'north missing')).toEqual([]);
  });

  it('ignores case and accents in both directions', () => {
    expect(names(index, 'SOCIETE')).toEqual(['Société Générale Paris']);
    expect(names(index, 'générale')).toEqual(['Société Générale Paris']);
  });

  it('matches the identifier too', () => {
    expect(names(index, 'fab-01')).toEqual(['Fabrikam North']);
    expect(names(index, 'sgp')).toEqual(['Société Générale Paris']);
  });

  it('narrows the previous result when the query grows, with the same answer as a fresh search', () => {
    let previous = search(index, 'c');
    for (const query of ['co', 'con', 'cont', 'contoso', 'contoso ', 'contoso (']) {
      const step = search(index, query, previous);
      expect(step).toEqual(search(index, query));
      previous = step;
    }
    expect(previous.ranked.map((i) => index.items[i]!.id)).toEqual([7]);
  });

  it('starts over when the query is not an extension of the previous one', () => {
    const narrow = search(index, 'contoso');
    expect(search(index, 'north', narrow)).toEqual(search(index, 'north'));
    expect(search(index, 'contos', narrow)).toEqual(search(index, 'contos'));
  });
});
