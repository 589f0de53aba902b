import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError, type AuditEntry } from '../core';
import { member, orgDetail, renderInApp } from '../test/app';
import { AuditPage } from './AuditPage';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const entry = (over: Partial<AuditEntry> & { seq: number; action: string }): AuditEntry => ({
  time: '2025-01-02T03:04:05Z', actor: 'ann@acme.example', target: {}, source: '203.0.113.7', signed: true, what: '—', ...over,
});
const none = { screen: 'audit' as const, org: 'o-acme', actor: '', action: '', since: '' };
const detail = orgDetail({
  members: [member({ email: 'mia@acme.example', state: 'confirmed', user_id: 'u-mia' })],
  groups: [{ id: 'g-eng', name: 'Engineering', private: false, default_permission: 'edit', members: [], manager: 'ann@acme.example', manages: true, can_add_members: true, can_remove_members: true, can_grant: true, export_my_vault_only: false, can_set_export_policy: true }],
  roster: ['ann@acme.example', 'mia@acme.example'],
});

describe('AuditPage', () => {
  it('shows the verified entries as the core words them', async () => {
    vi.mocked(core.audit).mockResolvedValue({ actions: ['invite', 'join', 'group-add'], entries: [
      entry({ seq: 1, action: 'invite', target: { invitations: ['i1', 'i2'] }, what: '2 invitations' }),
      entry({ seq: 2, action: 'join', actor: 'mia@acme.example', signed: false, target: { user: 'u-mia', invitation: 'i1' }, what: 'member mia@acme.example' }),
      entry({ seq: 3, action: 'group-add', target: { group: 'g-eng', users: ['u-mia'] }, what: 'members mia@acme.example · group Engineering' }),
    ] });
    renderInApp(<AuditPage detail={detail} filter={none} />);
    expect((await screen.findByRole('status')).textContent).toBe('3 entries; the whole log verified.');
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows[0].textContent).toContain('2 invitations');
    expect(rows[1].textContent).toContain("mia@acme.example (the server's word)");
    expect(rows[1].textContent).toContain('member mia@acme.example');
    expect(rows[2].textContent).toContain('members mia@acme.example · group Engineering');
    expect(core.audit).toHaveBeenCalledWith('o-acme', { actor: '', action: '', since: '' });
    expect(within(screen.getByLabelText('Action')).getAllByRole('option').map((o) => o.textContent)).toEqual(['any', 'invite', 'join', 'group-add']);
  });

  it('puts the filter in the address and asks the core with it', async () => {
    vi.mocked(core.audit).mockResolvedValue({ actions: ['invite', 'join'], entries: [] });
    renderInApp(<AuditPage detail={detail} filter={none} />);
    await screen.findByRole('status');
    fireEvent.input(screen.getByLabelText('Person'), { target: { value: 'mia@acme.example' } });
    fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'join' } });
    fireEvent.input(screen.getByLabelText('From'), { target: { value: '2025-01-31' } });
    fireEvent.click(screen.getByRole('button', { name: 'Show' }));
    expect(location.pathname + location.search).toBe('/orgs/o-acme/audit?actor=mia%40acme.example&action=join&since=2025-01-31');
  });

  it('reads the filter from the address', async () => {
    vi.mocked(core.audit).mockResolvedValue({ actions: ['join'], entries: [entry({ seq: 2, action: 'join' })] });
    renderInApp(<AuditPage detail={detail} filter={{ ...none, action: 'join' }} />);
    expect((await screen.findByRole('status')).textContent).toBe('1 entry match; the whole log verified.');
    expect(core.audit).toHaveBeenCalledWith('o-acme', { actor: '', action: 'join', since: '' });
    expect(screen.getByRole('link', { name: 'Every entry' }).getAttribute('href')).toBe('/orgs/o-acme/audit');
  });

  it('shows a log changed on the server in a red banner, and none of it', async () => {
    vi.mocked(core.audit).mockRejectedValue(new CoreError('data from the server failed authentication: audit log of o-acme: the chain breaks at entry 3', 'tampered'));
    renderInApp(<AuditPage detail={detail} filter={none} />);
    const banner = await screen.findByRole('alert');
    expect(banner.classList.contains('tamper')).toBe(true);
    expect(banner.textContent).toContain('The audit log was changed on the server: entries were removed, reordered or edited.');
    expect(banner.textContent).toContain('the chain breaks at entry 3');
    expect(screen.queryByRole('table')).toBeNull();
  });
});
