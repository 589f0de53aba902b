import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError, type AdminUser } from '../core';
import { deferred, renderInApp } from '../test/app';
import { AdminPage } from './AdminPage';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const adminUser = (over: Partial<AdminUser> & { email: string }): AdminUser => ({
  user_id: `u-${over.email}`, name: '', created_at: '2025-01-02T03:04:05Z', state: 'active', admin: false, orgs: 1, can_disable: true, can_enable: false, two_factor: false, can_reset_two_factor: false, ...over,
});

describe('AdminPage', () => {
  it('lists what the core finds for the search in the address, each account a link to its page', async () => {
    vi.mocked(core.adminSearch).mockResolvedValue([adminUser({ email: 'mia@acme.example', name: 'Mia', orgs: 2 }),
      adminUser({ email: 'zed@acme.example', state: 'disabled', can_disable: false, can_enable: true })]);
    renderInApp(<AdminPage q="acme" />);
    const table = await screen.findByRole('table', { name: 'Accounts matching acme' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByRole('link', { name: 'mia@acme.example' }).getAttribute('href')).toBe('/admin/users/u-mia%40acme.example');
    expect(rows[0].textContent).toContain('Active');
    expect(rows[1].textContent).toContain('Disabled');
    expect(core.adminSearch).toHaveBeenCalledWith('acme');
    expect((screen.getByLabelText('Search accounts') as HTMLInputElement).value).toBe('acme');
  });

  it('puts a new search in the address', async () => {
    vi.mocked(core.adminSearch).mockResolvedValue([]);
    renderInApp(<AdminPage q="" />);
    expect(await screen.findByText('No accounts yet.')).toBeTruthy();
    fireEvent.input(screen.getByLabelText('Search accounts'), { target: { value: ' mia ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    expect(location.pathname + location.search).toBe('/admin/users?q=mia');
  });

  it('never shows the last search’s accounts under a new search', async () => {
    const later = deferred<AdminUser[]>();
    vi.mocked(core.adminSearch).mockResolvedValueOnce([adminUser({ email: 'zed@acme.example' })]).mockReturnValueOnce(later.promise);
    const { rerenderInApp } = renderInApp(<AdminPage q="" />);
    expect(await screen.findByRole('link', { name: 'zed@acme.example' })).toBeTruthy();
    rerenderInApp(<AdminPage q="mia" />);
    expect(screen.queryByRole('link', { name: 'zed@acme.example' })).toBeNull();
    expect(screen.getByText('Searching…')).toBeTruthy();
    later.resolve([adminUser({ email: 'mia@acme.example' })]);
    expect(await screen.findByRole('link', { name: 'mia@acme.example' })).toBeTruthy();
  });

  it('says a refusal in words', async () => {
    vi.mocked(core.adminSearch).mockRejectedValue(new CoreError('permission denied: instance administrators only', 'forbidden'));
    renderInApp(<AdminPage q="" />);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('instance administrators only'));
  });
});
