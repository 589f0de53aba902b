import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core } from '../core';
import { parse, type Route } from '../shell/routes';
import { item, renderInApp, rowsOf, summary, vaultInfo } from '../test/app';
import { Passwords } from './Passwords';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

type PasswordsRoute = Extract<Route, { screen: 'vault' | 'new' | 'trash' }>;
const vaults = [vaultInfo({ id: 'v-my', label: 'My Vault', kind: 'personal' }), vaultInfo({ id: 'v-eng', label: 'Acme/Eng' })];
const items = [
  summary({ id: 'i-1', name: 'GitHub', type: 'login', favorite: true }),
  summary({ id: 'i-2', name: 'Wi-Fi', type: 'note' }),
  summary({ id: 'i-3', name: 'Stripe key', type: 'secret' }),
];

function show(path: string, query = '') {
  history.replaceState(null, '', path);
  return renderInApp(<Passwords route={parse(path) as PasswordsRoute} query={query} />, { vaults });
}

// count is the list's count of items (a status: read out as it changes).
const count = () => within(screen.getByRole('region', { name: 'Acme/Eng' })).getByRole('status');

describe('Passwords', () => {
  it("lists the vault's items with their count, and narrows them by a filter", async () => {
    vi.mocked(core.rows).mockResolvedValue(rowsOf(items));
    // The search's answer: positions (as ranges) of what matches.
    vi.mocked(core.find).mockResolvedValue({ version: 1, count: 3, ranges: [0, 3] });
    show('/vault/v-eng', 'k');
    expect(await screen.findByText('3 items')).toBeTruthy();
    expect(core.rows).toHaveBeenCalledWith('v-eng');
    expect(core.find).toHaveBeenCalledWith('k');
    expect(screen.getByRole('heading', { name: 'Acme/Eng' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Favourites' }));
    expect(count().textContent).toBe('1 item');
    expect(within(screen.getByRole('list', { name: 'Items' })).getAllByRole('link').map((l) => l.getAttribute('href'))).toEqual(['/vault/v-eng/i-1']);
    fireEvent.click(screen.getByRole('button', { name: 'Cards' }));
    expect(screen.getByText('Nothing matches.')).toBeTruthy();
    expect(count().textContent).toBe('0 items');
  });

  it('says an empty vault is empty, and offers a new item in it', async () => {
    vi.mocked(core.rows).mockResolvedValue(rowsOf([]));
    show('/vault/v-eng');
    expect(await screen.findByRole('heading', { name: 'Nothing in Acme/Eng yet' })).toBeTruthy();
    const links = screen.getAllByRole('link', { name: /New item/ });
    expect(links.map((l) => l.getAttribute('href'))).toEqual(['/vault/v-eng/new', '/vault/v-eng/new']);
  });

  it('shows the item the address names, with the way back to the list', async () => {
    vi.mocked(core.rows).mockResolvedValue(rowsOf(items));
    vi.mocked(core.get).mockResolvedValue(item({ id: 'i-2', content: { name: 'Wi-Fi' } }));
    show('/vault/all/i-2');
    const pane = screen.getByRole('region', { name: 'Item' });
    expect(await within(pane).findByRole('heading', { name: 'Wi-Fi' })).toBeTruthy();
    expect(core.get).toHaveBeenCalledWith('i-2');
    fireEvent.click(within(pane).getByRole('link', { name: 'Back to All vaults' }));
    expect(location.pathname).toBe('/vault');
  });

  it('opens the editor for a new item in the vault on screen', async () => {
    vi.mocked(core.rows).mockResolvedValue(rowsOf(items));
    show('/vault/v-eng/new');
    expect(screen.getByRole('heading', { name: 'New item' })).toBeTruthy();
    expect((screen.getByRole('combobox', { name: 'Vault' }) as HTMLSelectElement).value).toBe('v-eng');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(location.pathname).toBe('/vault/v-eng'));
  });

  it('shows the trash in place of the list', async () => {
    vi.mocked(core.trashed).mockResolvedValue([]);
    show('/vault/trash');
    expect(await screen.findByRole('heading', { name: 'The trash is empty' })).toBeTruthy();
    expect(screen.queryByRole('list', { name: 'Items' })).toBeNull();
    expect(within(screen.getByRole('navigation', { name: 'Vaults' })).getByRole('link', { current: 'page' }).textContent).toBe('Trash');
  });
});
