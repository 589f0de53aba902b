import { fireEvent, render, screen, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { ITEM_TYPES } from '../core';
import { rowsOf, summary } from '../test/app';
import { Filters } from './Filters';
import { filtered } from './rows';

describe('filtered', () => {
  const rows = rowsOf([summary({ id: 'a', name: 'GitHub', type: 'login', favorite: true }), summary({ id: 'b', name: 'Wi-Fi', type: 'note' })]);
  it('lets everything through "all"', () => {
    expect(filtered(rows, [0, 1], 'all')).toEqual([0, 1]);
  });
  it('keeps favourites for "favorites"', () => {
    expect(filtered(rows, [0, 1], 'favorites')).toEqual([0]);
  });
  it('keeps one type for a type chip, among the positions shown', () => {
    expect(filtered(rows, [0, 1], 'note')).toEqual([1]);
    expect(filtered(rows, [0], 'note')).toEqual([]);
    expect(filtered(rows, [0, 1], 'card')).toEqual([]);
  });
});

describe('Filters', () => {
  it('shows the chip in use as pressed and reports a new choice', () => {
    const onChange = vi.fn();
    render(<Filters value="note" types={ITEM_TYPES} onChange={onChange} />);
    const group = screen.getByRole('group', { name: 'Filters' });
    const chips = within(group).getAllByRole('button');
    expect(chips.map((c) => c.textContent)).toEqual(['All items', 'Favourites', 'Logins', 'Notes', 'API secrets', 'Cards', 'Identities', 'SSH keys', 'Files']);
    expect(within(group).getByRole('button', { name: 'Notes', pressed: true })).toBeTruthy();
    expect(within(group).getAllByRole('button', { pressed: true })).toHaveLength(1);
    fireEvent.click(within(group).getByRole('button', { name: 'Favourites' }));
    expect(onChange).toHaveBeenCalledWith('favorites');
  });
});
