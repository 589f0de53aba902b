import type { Rows } from '../core';

// The list the page holds (core.rows: column by column, in the core's
// order) and which of it a search shows (core.find: positions in it).
// The page only reads them: the order and the search rule are the core's.

// expand is find's ranges, [from, to) pairs flattened, as positions.
export function expand(ranges: number[]): number[] {
  let n = 0;
  for (let k = 0; k + 1 < ranges.length; k += 2) n += ranges[k + 1] - ranges[k];
  const out = new Array<number>(n);
  let j = 0;
  for (let k = 0; k + 1 < ranges.length; k += 2) for (let i = ranges[k]; i < ranges[k + 1]; i++) out[j++] = i;
  return out;
}

// every is every position of rows.
export function every(rows: Rows): number[] {
  const out = new Array<number>(rows.id.length);
  for (let i = 0; i < out.length; i++) out[i] = i;
  return out;
}

// passes tells whether row p passes a filter chip (all, favourites, or a
// type).
export function passes(rows: Rows, p: number, filter: string, favorites: Set<number>): boolean {
  return filter === 'all' || (filter === 'favorites' ? favorites.has(p) : rows.types[rows.type[p]] === filter);
}

// filtered is the positions of shown that pass filter.
export function filtered(rows: Rows, shown: number[], filter: string): number[] {
  if (filter === 'all') return shown;
  const favorites = new Set(rows.favorite);
  return shown.filter((p) => passes(rows, p, filter, favorites));
}
