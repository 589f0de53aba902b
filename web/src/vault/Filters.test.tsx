import { fireEvent, render, screen, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { summary } from '../test/app';
import { Filters, matches } from './Filters';

describe('matches', () => {
  const login = summary({ id: 'a', name: 'GitHub', type: 'login', favorite: true });
  const note = summary({ id: 'b', name: 'Wi-Fi', type: 'note' });
  it('lets everything through "all"', () => {
    expect(matches(login, 'all') && matches(note, 'all')).toBe(true);
  });
  it('keeps favourites for "favorites"', () => {
    expect(matches(login, 'favorites')).toBe(true);
    expect(matches(note, 'favorites')).toBe(false);
  });
  it('keeps one type for a type chip', () => {
    expect(matches(note, 'note')).toBe(true);
    expect(matches(login, 'note')).toBe(false);
    expect(matches(login, 'login')).toBe(true);
    expect(matches(login, 'card')).toBe(false);
  });
});

describe('Filters', () => {
  it('shows the chip in use as pressed and reports a new choice', () => {
    const onChange = vi.fn();
    render(<Filters value="note" onChange={onChange} />);
    const group = screen.getByRole('group', { name: 'Filters' });
    const chips = within(group).getAllByRole('button');
    expect(chips.map((c) => c.textContent)).toEqual(['All items', 'Favourites', 'Logins', 'Notes', 'API secrets', 'Cards', 'Files']);
    expect(within(group).getByRole('button', { name: 'Notes', pressed: true })).toBeTruthy();
    expect(within(group).getAllByRole('button', { pressed: true })).toHaveLength(1);
    fireEvent.click(within(group).getByRole('button', { name: 'Favourites' }));
    expect(onChange).toHaveBeenCalledWith('favorites');
  });
});
