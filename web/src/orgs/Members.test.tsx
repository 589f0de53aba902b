import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError, type Member } from '../core';
import { member, org, orgDetail, renderInApp } from '../test/app';
import { Members } from './Members';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

// The organisation as its owner sees it, with what the core lets them do
// to each row.
const members: Member[] = [
  member({ email: 'ann@acme.example', state: 'owner', me: true, fingerprint: 'ANN1 ANN2' }),
  member({ email: 'bob@acme.example', name: 'Bob', state: 'confirmed', fingerprint: 'BOB1 BOB2', can_remove: true, can_compare: true, opens: [{ vault_id: 'v-eng', vault: 'Eng', permission: 'edit', through: 'Developers' }] }),
  member({ email: 'carol@acme.example', state: 'joined', fingerprint: 'CAR1 CAR2', can_confirm: true, can_cancel: true, can_compare: true }),
  member({ email: 'dave@acme.example', state: 'invited', can_cancel: true }),
  member({ email: 'erin@acme.example', state: 'invited', locked: true, locked_at: '2025-03-04T05:06:07Z', can_reissue: true, can_cancel: true }),
  member({ email: 'mallory@acme.example', state: 'joined', key_mismatch: true, can_cancel: true }),
  member({ email: 'zed@acme.example', state: 'cancelled' }),
];

function show(over: Partial<Parameters<typeof orgDetail>[0]> = {}) {
  const reload = vi.fn();
  const r = renderInApp(<Members detail={orgDetail({ members, ...over })} reload={reload} />);
  return { ...r, reload };
}

const row = (email: string) => screen.getByText(email, { selector: 'strong' }).closest('tr')!;
const buttonsOf = (email: string) => within(row(email)).queryAllByRole('button').map((b) => b.getAttribute('aria-label'));

describe('Members', () => {
  it('offers on each row only what the core allows', () => {
    show();
    expect(buttonsOf('ann@acme.example')).toEqual([]);
    expect(buttonsOf('bob@acme.example')).toEqual(['Compare fingerprints with bob@acme.example', 'Remove bob@acme.example']);
    expect(buttonsOf('carol@acme.example')).toEqual(['Compare fingerprints with carol@acme.example', 'Confirm carol@acme.example', 'Cancel the invitation of carol@acme.example']);
    expect(buttonsOf('dave@acme.example')).toEqual(['Cancel the invitation of dave@acme.example']);
    expect(buttonsOf('erin@acme.example')).toEqual(['Re-issue the invitation of erin@acme.example', 'Cancel the invitation of erin@acme.example']);
    expect(buttonsOf('mallory@acme.example')).toEqual(['Cancel the invitation of mallory@acme.example']);
    expect(screen.queryByText('zed@acme.example')).toBeNull(); // a cancelled invitation is gone
    expect(within(row('bob@acme.example')).getByText('Eng (edit, through Developers)')).toBeTruthy();
  });

  it('shows a member only what a member may do', () => {
    show({
      org: org({ role: 'member', can_invite: false, can_manage_members: false }),
      members: [member({ email: 'ann@acme.example', state: 'owner' }), member({ email: 'bob@acme.example', state: 'confirmed', me: true })],
    });
    expect(screen.queryByRole('button')).toBeNull();
    expect(screen.queryByRole('checkbox')).toBeNull();
    expect(within(row('bob@acme.example')).getByText('(you)')).toBeTruthy();
  });

  it('says when keys do not match, and offers no fingerprint to compare', () => {
    show();
    expect(within(row('mallory@acme.example')).getByText('Keys do not match')).toBeTruthy();
    expect(within(row('carol@acme.example')).queryByText('Keys do not match')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Compare fingerprints with mallory@acme.example' })).toBeNull();
  });

  it('says an invitation is locked and re-issues it, showing the new code', async () => {
    vi.mocked(core.reissue).mockResolvedValue({ code: 'NEW-CODE-123', mail: 'sent', reissued: ['erin@acme.example'] });
    show();
    expect(within(row('erin@acme.example')).getByText('Locked: too many wrong codes')).toBeTruthy();
    expect(within(row('dave@acme.example')).queryByText(/^Locked/)).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Re-issue the invitation of erin@acme.example' }));
    const dialog = await screen.findByRole('dialog', { name: 'Confirmation code' });
    expect(within(dialog).getByText('NEW-CODE-123')).toBeTruthy();
    expect(within(dialog).getByText('For erin@acme.example.')).toBeTruthy();
    expect(core.reissue).toHaveBeenCalledWith('o-acme', ['erin@acme.example']);
  });

  it('shows the bulk bar once rows are selected, and acts on them', async () => {
    vi.mocked(core.confirm).mockResolvedValue({ done: 1 });
    vi.mocked(core.cancelInvites).mockResolvedValue({ done: 2 });
    const { reload } = show();
    expect(screen.queryByRole('region', { name: 'Selected invitations' })).toBeNull();
    expect(screen.queryByRole('checkbox', { name: 'Select bob@acme.example' })).toBeNull(); // nothing to cancel for bob
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select dave@acme.example' }));
    const bar = screen.getByRole('region', { name: 'Selected invitations' });
    expect(within(bar).getByText('1 selected')).toBeTruthy();
    expect((within(bar).getByRole('button', { name: 'Confirm selected' }) as HTMLButtonElement).disabled).toBe(true); // dave has not joined
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select carol@acme.example' }));
    expect(within(bar).getByText('2 selected')).toBeTruthy();
    fireEvent.click(within(bar).getByRole('button', { name: 'Confirm selected' }));
    expect(await screen.findByText('The selected members are confirmed.')).toBeTruthy();
    expect(core.confirm).toHaveBeenCalledWith('o-acme', ['carol@acme.example']);
    expect(reload).toHaveBeenCalled();
    expect(screen.queryByRole('region', { name: 'Selected invitations' })).toBeNull();
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select dave@acme.example' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select erin@acme.example' }));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel selected' }));
    expect(await screen.findByText('The selected invitations are cancelled.')).toBeTruthy();
    expect(core.cancelInvites).toHaveBeenCalledWith('o-acme', ['dave@acme.example', 'erin@acme.example']);
  });

  it('asks in a dialog before removing a member', async () => {
    vi.mocked(core.removeMember).mockResolvedValue({ ok: true });
    const { reload } = show();
    fireEvent.click(screen.getByRole('button', { name: 'Remove bob@acme.example' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Remove bob@acme.example?' });
    expect(within(dialog).getByText(/^bob@acme\.example can no longer open any vault of Acme/)).toBeTruthy();
    expect(core.removeMember).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove bob@acme.example from Acme' }));
    // Removed: the dialog offers what they could read.
    const done = await screen.findByRole('alertdialog', { name: 'bob@acme.example was removed' });
    expect(core.removeMember).toHaveBeenCalledWith('o-acme', 'bob@acme.example');
    expect(within(done).getByRole('link', { name: 'What they could read' }).getAttribute('href')).toBe('/orgs/o-acme/exposure/bob%40acme.example');
    expect(screen.getByRole('status').textContent).toBe('bob@acme.example was removed.');
    expect(reload).toHaveBeenCalled();
    fireEvent.click(within(done).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });

  it('removes nobody when the dialog is cancelled', () => {
    show();
    fireEvent.click(screen.getByRole('button', { name: 'Remove bob@acme.example' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(core.removeMember).not.toHaveBeenCalled();
  });

  it('confirms one member, and says a key swap in words', async () => {
    vi.mocked(core.confirm).mockRejectedValue(new CoreError('SECURITY WARNING: keys differ (carol@acme.example)', 'key-mismatch'));
    show();
    fireEvent.click(screen.getByRole('button', { name: 'Confirm carol@acme.example' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/^SECURITY WARNING: the keys the server presents for carol@acme\.example are not the keys they joined with/);
    expect(core.confirm).toHaveBeenCalledWith('o-acme', ['carol@acme.example']);
  });

  it('compares fingerprints side by side', () => {
    show();
    fireEvent.click(screen.getByRole('button', { name: 'Compare fingerprints with bob@acme.example' }));
    const region = within(screen.getByRole('dialog', { name: 'Compare fingerprints with bob@acme.example' })).getByRole('region', { name: 'Fingerprints of you and bob@acme.example' });
    expect(within(region).getByText('ANN1 ANN2 ANN3')).toBeTruthy(); // mine, from the app's status
    expect(within(region).getByText('BOB1 BOB2')).toBeTruthy();
  });

  it('opens the invitation dialog for whoever may invite', () => {
    show();
    fireEvent.click(screen.getByRole('button', { name: 'Invite people' }));
    expect(screen.getByRole('dialog', { name: 'Invite people to Acme' })).toBeTruthy();
  });

  it('shows who has no two-factor log-in, and disables Confirm with the reason', () => {
    const reason = 'This organisation requires two-factor log-in: ask them to turn on two-factor log-in in Account → Security, then confirm them.';
    show({
      org: org({ require_two_factor: true }),
      members: [
        member({ email: 'ann@acme.example', state: 'owner', me: true, two_factor: true, two_factor_label: 'Two-factor on' }),
        member({ email: 'bob@acme.example', state: 'confirmed', can_remove: true, two_factor: false, two_factor_label: 'No two-factor' }),
        member({ email: 'carol@acme.example', state: 'joined', fingerprint: 'CAR1', can_cancel: true, two_factor: false, two_factor_label: 'No two-factor', confirm_refusal: reason }),
      ],
    });
    expect(within(row('bob@acme.example')).getByText('No two-factor')).toBeTruthy();
    expect(within(row('ann@acme.example')).queryByText('No two-factor')).toBeNull();
    const confirm = within(row('carol@acme.example')).getByRole('button', { name: 'Confirm carol@acme.example' }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    // Why, on the line under the row, which the disabled button points to;
    // the state is "Joined", not "confirm them".
    const why = screen.getByText(reason);
    expect(why.id).toBe('refusal-carol@acme.example');
    expect(why.closest('tr')).toBe(row('carol@acme.example').nextElementSibling);
    expect(within(row('carol@acme.example')).getByText('Joined', { exact: true })).toBeTruthy();
    expect(within(row('carol@acme.example')).queryByText(/confirm them/)).toBeNull();
    expect(confirm.getAttribute('aria-describedby')).toBe('refusal-carol@acme.example');
    fireEvent.click(confirm);
    expect(core.confirm).not.toHaveBeenCalled();
  });

  it('shows a member nobody\'s two-factor state (the core gives none)', () => {
    show({
      org: org({ role: 'member', can_invite: false, can_manage_members: false, require_two_factor: true, can_set_two_factor_policy: false }),
      members: [member({ email: 'ann@acme.example', state: 'owner' }), member({ email: 'bob@acme.example', state: 'confirmed', me: true })],
    });
    expect(screen.queryByText('No two-factor')).toBeNull();
  });
});
