import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError, type AdminUserDetail } from '../core';
import { renderInApp } from '../test/app';
import { AdminUser } from './AdminUser';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const sealed = 'Organisation and group names are end-to-end encrypted: the server, and so this portal, sees only their ids, sizes and owners.';
const detail = (over: Partial<AdminUserDetail> = {}): AdminUserDetail => ({
  user_id: 'u-mia', email: 'mia@acme.example', name: 'Mia', created_at: '2025-01-02T03:04:05Z', state: 'active', admin: false, orgs: 2,
  can_disable: true, can_enable: false, two_factor: false, can_reset_two_factor: false, sealed, export_my_vault_only: false, may_export: 'everything they can read',
  organisations: [
    { org_id: 'o-acme', role: 'member', members: 4, owner_email: 'ann@acme.example', can_unbind: true },
    { org_id: 'o-own', role: 'owner', members: 2, owner_email: 'mia@acme.example', can_unbind: false, unbind_refusal: 'the owner cannot be unbound: transfer ownership first' },
  ],
  groups: [{ group_id: 'g-1', org_id: 'o-acme', private: true, members: 3, member: true, manager: false }],
  ...over,
});

describe('AdminUser', () => {
  it('shows what the account is bound to, by id, and says once that names are sealed', async () => {
    vi.mocked(core.adminUser).mockResolvedValue(detail());
    renderInApp(<AdminUser user="u-mia" />);
    expect(await screen.findByRole('heading', { name: 'mia@acme.example' })).toBeTruthy();
    expect(screen.getAllByText(sealed)).toHaveLength(1);
    const rows = screen.getAllByRole('row').filter((r) => r.classList.contains('bound-org'));
    expect(within(rows[0]).getByRole('button', { name: 'Unbind mia@acme.example from organisation o-acme' })).toBeTruthy();
    expect(within(rows[1]).queryByRole('button')).toBeNull();
    expect(rows[1].textContent).toContain('transfer ownership first');
    expect(screen.getByText('g-1')).toBeTruthy();
    expect(core.adminUser).toHaveBeenCalledWith('u-mia');
    await waitFor(() => expect(document.title).toBe('mia@acme.example — Administrator Portal · Coffer'));
  });

  it('unbinds after a dialog that says what it does, and reads the account anew', async () => {
    vi.mocked(core.adminUser).mockResolvedValueOnce(detail()).mockResolvedValueOnce(detail({ organisations: [] }));
    vi.mocked(core.adminUnbind).mockResolvedValue({ ok: true });
    renderInApp(<AdminUser user="u-mia" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Unbind mia@acme.example from organisation o-acme' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Unbind mia@acme.example?' });
    expect(dialog.textContent).toContain('keep their account and My Vault');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Unbind from o-acme' }));
    expect((await screen.findByRole('status')).textContent).toBe('mia@acme.example is unbound from organisation o-acme.');
    expect(core.adminUnbind).toHaveBeenCalledWith('u-mia', 'o-acme');
    expect(await screen.findByText('Bound to no organisation.')).toBeTruthy();
  });

  it('shows the server refusing an owner in its words, in the dialog', async () => {
    vi.mocked(core.adminUser).mockResolvedValue(detail());
    vi.mocked(core.adminUnbind).mockRejectedValue(new CoreError("the organisation's owner cannot leave it or be unbound from it; transfer ownership first", 'transfer-ownership'));
    renderInApp(<AdminUser user="u-mia" />);
    fireEvent.click(await screen.findByRole('button', { name: /^Unbind mia/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Unbind from o-acme' }));
    const dialog = screen.getByRole('alertdialog');
    await waitFor(() => expect(within(dialog).getByRole('alert').textContent).toContain('transfer ownership first'));
  });

  it('disables, saying the effect first, and enables', async () => {
    vi.mocked(core.adminUser).mockResolvedValueOnce(detail()).mockResolvedValue(detail({ state: 'disabled', can_disable: false, can_enable: true, disabled_at: '2025-02-01T00:00:00Z' }));
    vi.mocked(core.adminDisable).mockResolvedValue({ revoked_sessions: 3 });
    vi.mocked(core.adminEnable).mockResolvedValue({ ok: true });
    renderInApp(<AdminUser user="u-mia" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Disable the account' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Disable mia@acme.example?' });
    expect(dialog.textContent).toContain('signed out at once');
    expect(dialog.textContent).toContain('cannot log in');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Disable mia@acme.example' }));
    expect((await screen.findByRole('status')).textContent).toBe('mia@acme.example is disabled; 3 session(s) were signed out.');
    fireEvent.click(await screen.findByRole('button', { name: 'Enable the account' }));
    fireEvent.click(screen.getByRole('button', { name: 'Enable mia@acme.example' }));
    await waitFor(() => expect(core.adminEnable).toHaveBeenCalledWith('u-mia'));
  });

  it('resets a lost two-factor log-in only when the account has one, saying what it does first', async () => {
    vi.mocked(core.adminUser).mockResolvedValueOnce(detail({ two_factor: true, can_reset_two_factor: true })).mockResolvedValue(detail());
    vi.mocked(core.adminResetTwoFactor).mockResolvedValue({ ok: true });
    renderInApp(<AdminUser user="u-mia" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Reset two-factor log-in' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Reset the two-factor log-in of mia@acme.example?' });
    expect(dialog.textContent).toContain('really comes from them');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Reset two-factor log-in' }));
    expect((await screen.findByRole('status')).textContent).toBe('Two-factor log-in of mia@acme.example is off.');
    expect(core.adminResetTwoFactor).toHaveBeenCalledWith('u-mia');
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Reset two-factor log-in' })).toBeNull());
  });

  it('shows what the account may export, in the core’s words, and says what the policy cannot stop', async () => {
    vi.mocked(core.adminUser).mockResolvedValue(detail());
    renderInApp(<AdminUser user="u-mia" />);
    const card = (await screen.findByRole('heading', { name: 'Export' })).closest('section')!;
    expect(within(card).getByText('May export').nextElementSibling!.textContent).toBe('everything they can read');
    expect(card.querySelector('details')!.textContent).toContain('can still copy it');
    expect(within(card).queryByText('My Vault only')).toBeNull();
    expect(within(card).getByRole('button', { name: 'Allow export of My Vault only' })).toBeTruthy();
  });

  it('allows export of My Vault only after a dialog that says what it does and cannot do, and reads the account anew', async () => {
    vi.mocked(core.adminUser).mockResolvedValueOnce(detail()).mockResolvedValue(detail({ export_my_vault_only: true, may_export: 'My Vault only' }));
    vi.mocked(core.adminSetExportPolicy).mockResolvedValue({ ok: true });
    renderInApp(<AdminUser user="u-mia" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Allow export of My Vault only' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Allow mia@acme.example to export My Vault only?' });
    expect(dialog.textContent).toContain('every organisation vault left out of its exports');
    expect(dialog.textContent).toContain('someone who can read an item can still copy it');
    expect(core.adminSetExportPolicy).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Allow export of My Vault only' }));
    expect((await screen.findByRole('status')).textContent).toBe('Changed the export policy of mia@acme.example.');
    expect(core.adminSetExportPolicy).toHaveBeenCalledWith('u-mia', true);
    const card = (await screen.findByRole('heading', { name: 'Export' })).closest('section')!;
    await waitFor(() => expect(card.querySelector('.may-export')!.textContent).toBe('My Vault only'));
    fireEvent.click(within(card).getByRole('button', { name: 'Allow export of everything they can read' }));
    fireEvent.click(within(screen.getByRole('alertdialog', { name: 'Let mia@acme.example export everything?' })).getByRole('button', { name: 'Allow export of everything' }));
    await waitFor(() => expect(core.adminSetExportPolicy).toHaveBeenLastCalledWith('u-mia', false));
  });

  it('keeps the policy and says the server’s refusal in the dialog; Cancel changes nothing', async () => {
    vi.mocked(core.adminUser).mockResolvedValue(detail());
    vi.mocked(core.adminSetExportPolicy).mockRejectedValue(new CoreError('permission denied: instance administrators only', 'forbidden'));
    renderInApp(<AdminUser user="u-mia" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Allow export of My Vault only' }));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(core.adminSetExportPolicy).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Allow export of My Vault only' }));
    const dialog = screen.getByRole('alertdialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Allow export of My Vault only' }));
    await waitFor(() => expect(within(dialog).getByRole('alert').textContent).toContain('instance administrators only'));
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('offers no Disable for the administrator’s own account', async () => {
    vi.mocked(core.adminUser).mockResolvedValue(detail({ me: true, admin: true, can_disable: false }));
    renderInApp(<AdminUser user="u-mia" />);
    expect(await screen.findByText(/cannot disable your own account/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Disable the account' })).toBeNull();
  });

  it('says an account that is not there', async () => {
    vi.mocked(core.adminUser).mockRejectedValue(new CoreError('not found: account', 'not-found'));
    renderInApp(<AdminUser user="u-gone" />);
    expect(await screen.findByRole('heading', { name: 'No such account' })).toBeTruthy();
  });
});
