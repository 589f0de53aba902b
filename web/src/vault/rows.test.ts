import { describe, expect, it } from 'vitest';
import type { Rows } from '../core';
import { every, expand, filtered } from './rows';

const rows: Rows = {
  version: 1, vaults: ['My Vault', 'Acme/Ops'], types: ['login', 'note'],
  id: ['a', 'b', 'c', 'd'], name: ['site-1', 'site-2', 'site-10', 'x'], username: ['u1', '', 'u3', ''],
  vault: [0, 0, 1, 0], type: [0, 1, 0, 1], favorite: [1, 3],
};

describe('expand', () => {
  it('turns ranges into positions', () => {
    expect(expand([0, 2, 3, 4])).toEqual([0, 1, 3]);
    expect(expand([])).toEqual([]);
    expect(expand([0, 100000]).length).toBe(100000);
  });
});

describe('filtered', () => {
  it('keeps every row for all, a type or the favourites', () => {
    expect(filtered(rows, every(rows), 'all')).toEqual([0, 1, 2, 3]);
    expect(filtered(rows, every(rows), 'login')).toEqual([0, 2]);
    expect(filtered(rows, every(rows), 'favorites')).toEqual([1, 3]);
    expect(filtered(rows, [2, 3], 'note')).toEqual([3]);
    expect(filtered(rows, every(rows), 'card')).toEqual([]);
  });
});
