import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError } from '../core';
import { org, renderInApp } from '../test/app';
import { LeaveOrDelete } from './LeaveOrDelete';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const member = org({ id: 'o-guild', name: 'Guild', role: 'member', owner_email: 'ann@acme.example', can_delete: false, can_audit: false, can_leave: true, leave_refusal: undefined });

describe('LeaveOrDelete', () => {
  it('shows the owner a disabled Leave with the core’s reason', () => {
    renderInApp(<LeaveOrDelete org={org()} />);
    const leave = screen.getByRole('button', { name: 'Leave Acme' }) as HTMLButtonElement;
    expect(leave.disabled).toBe(true);
    expect(document.getElementById(leave.getAttribute('aria-describedby')!)!.textContent).toBe('transfer ownership first: you own Acme and cannot leave it');
  });

  it('lets a member leave after saying what stays and what goes, then goes to Organisations', async () => {
    vi.mocked(core.leaveOrg).mockResolvedValue({ ok: true });
    localStorage.setItem('coffer.org', 'o-guild');
    const { app } = renderInApp(<LeaveOrDelete org={member} />);
    expect(screen.queryByRole('button', { name: 'Delete Guild' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Leave Guild' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Leave Guild?' });
    expect(dialog.textContent).toContain('You keep your account and My Vault. You lose Guild\'s vaults at once');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Leave Guild' }));
    await waitFor(() => expect(location.pathname).toBe('/orgs'));
    expect(core.leaveOrg).toHaveBeenCalledWith('o-guild');
    expect(app.changed).toHaveBeenCalled();
    expect(localStorage.getItem('coffer.org')).toBeNull();
  });

  it('deletes, purging the items only when asked, and says a refusal in the dialog', async () => {
    vi.mocked(core.deleteOrg).mockRejectedValueOnce(new CoreError('not empty: the organisation\'s vaults hold 3 items', 'not-empty')).mockResolvedValue({ ok: true });
    renderInApp(<LeaveOrDelete org={org()} />);
    fireEvent.click(screen.getByRole('button', { name: 'Delete Acme' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Delete Acme?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete Acme' }));
    await waitFor(() => expect(within(dialog).getByRole('alert').textContent).toContain('hold 3 items'));
    expect(core.deleteOrg).toHaveBeenLastCalledWith('o-acme', false);
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Also delete the items in its vaults' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete Acme' }));
    await waitFor(() => expect(location.pathname).toBe('/orgs'));
    expect(core.deleteOrg).toHaveBeenLastCalledWith('o-acme', true);
  });
});
