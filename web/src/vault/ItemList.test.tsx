import { act, fireEvent, render, screen, within } from '@testing-library/preact';
import { beforeEach, describe, expect, it } from 'vitest';
import { useRoute } from '../shell/router';
import { rowsOf, summary } from '../test/app';
import { every } from './rows';
import { ItemList } from './ItemList';

const N = 100_000;
const items = rowsOf(Array.from({ length: N }, (_, i) => summary({ id: `i${i}`, name: `Item ${i}`, username: `user${i}`, vault: 'Acme/Eng', favorite: i === 1 })));
const all = every(items);

// Routed is the list as the vault screen shows it: the item chosen is the
// one the address names.
function Routed() {
  const r = useRoute();
  return <ItemList rows={items} shown={all} vault="v-eng" selected={r.screen === 'vault' ? r.item : ''} />;
}

// item is the accessible name of item n's row: its name, then the rest.
const item = (n: number) => new RegExp(`^Item ${n}(?!\\d)`);

function rows() {
  return within(screen.getByRole('list', { name: 'Items' })).getAllByRole('listitem');
}

describe('ItemList', () => {
  beforeEach(() => history.replaceState(null, '', '/vault/v-eng'));

  it('draws a window of 100,000 items, each a link to the item with its place in the whole', () => {
    render(<Routed />);
    const shown = rows();
    expect(shown.length).toBeLessThan(60);
    expect(shown[0].getAttribute('aria-setsize')).toBe(String(N));
    expect(shown[0].getAttribute('aria-posinset')).toBe('1');
    const link = within(shown[1]).getByRole('link', { name: item(1) });
    expect(link.getAttribute('href')).toBe('/vault/v-eng/i1');
    expect(link.textContent).toContain('user1 · Acme/Eng');
    expect(within(link).getByRole('img', { name: 'favourite' })).toBeTruthy();
    expect(screen.queryByRole('link', { current: 'page' })).toBeNull();
  });

  it('shows the item the address names, scrolled into view and marked current', () => {
    history.replaceState(null, '', '/vault/v-eng/i65432');
    render(<Routed />);
    const link = screen.getByRole('link', { name: item(65432), current: 'page' });
    expect(link.closest('li')!.getAttribute('aria-posinset')).toBe('65433');
    expect(rows().length).toBeLessThan(60);
  });

  it('moves to the next and previous item with the arrow keys, the focus along', () => {
    history.replaceState(null, '', '/vault/v-eng/i41');
    render(<Routed />);
    const start = screen.getByRole('link', { name: item(41), current: 'page' });
    start.focus();
    fireEvent.keyDown(start, { key: 'ArrowDown' });
    expect(location.pathname).toBe('/vault/v-eng/i42');
    const next = screen.getByRole('link', { name: item(42), current: 'page' });
    expect(document.activeElement).toBe(next);
    fireEvent.keyDown(next, { key: 'ArrowUp' });
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    expect(location.pathname).toBe('/vault/v-eng/i40');
    expect(document.activeElement).toBe(screen.getByRole('link', { name: item(40), current: 'page' }));
  });

  it('stays on the first item at ArrowUp and on the last at ArrowDown', () => {
    history.replaceState(null, '', '/vault/v-eng/i0');
    render(<Routed />);
    fireEvent.keyDown(screen.getByRole('link', { name: item(0), current: 'page' }), { key: 'ArrowUp' });
    expect(location.pathname).toBe('/vault/v-eng/i0');
    history.replaceState(null, '', `/vault/v-eng/i${N - 1}`);
    act(() => { window.dispatchEvent(new PopStateEvent('popstate')); });
    const last = screen.getByRole('link', { name: item(N - 1), current: 'page' });
    fireEvent.keyDown(last, { key: 'ArrowDown' });
    expect(location.pathname).toBe(`/vault/v-eng/i${N - 1}`);
  });

  it('follows a click on an item inside the app', () => {
    render(<Routed />);
    fireEvent.click(screen.getByRole('link', { name: item(3) }));
    expect(location.pathname).toBe('/vault/v-eng/i3');
    expect(screen.getByRole('link', { name: item(3), current: 'page' })).toBeTruthy();
  });
});
