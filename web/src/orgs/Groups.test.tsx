import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError, type Group } from '../core';
import { org, orgDetail, renderInApp, vaultInfo } from '../test/app';
import { Groups } from './Groups';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const group = (g: Partial<Group> & { id: string; name: string }): Group => ({
  private: false, default_permission: 'view', members: [], manager: '', manages: false, can_add_members: false, can_remove_members: false, can_grant: false, export_my_vault_only: false, can_set_export_policy: false, ...g,
});
const devs = group({ id: 'g-dev', name: 'Developers', default_permission: 'edit', members: ['bob@acme.example', 'carol@acme.example'], can_add_members: true, can_remove_members: true, can_grant: true,
  opens: [{ vault_id: 'v-eng', vault: 'Eng', permission: 'edit' }] });
const pair = group({ id: 'g-pair', name: 'Pair', private: true, manager: 'bob@acme.example', members: ['bob@acme.example', 'ann@acme.example'] });
const eng = vaultInfo({ id: 'v-eng', label: 'Acme/Eng', name: 'Eng' });
const ops = vaultInfo({ id: 'v-ops', label: 'Acme/Ops', name: 'Ops' });
const readOnly = vaultInfo({ id: 'v-ro', label: 'Acme/RO', name: 'RO', can_manage: false });

function show(over: Parameters<typeof orgDetail>[0] = {}) {
  const reload = vi.fn();
  renderInApp(<Groups detail={orgDetail({ groups: [devs, pair], vaults: [eng, ops, readOnly], roster: ['ann@acme.example', 'bob@acme.example'], ...over })} reload={reload} />);
  return { reload };
}

const card = (name: string) => screen.getByRole('heading', { name }).closest('li')!;

describe('Groups', () => {
  it('shows each group, its members and what it opens, with the controls the core allows', () => {
    show();
    const d = card('Developers');
    expect(within(d).getByText('Opens: Eng (edit)')).toBeTruthy();
    expect(within(d).getByText('organisation group · default edit')).toBeTruthy();
    expect(within(within(d).getByRole('list', { name: 'Members of Developers' })).getAllByRole('listitem').map((l) => l.textContent)).toEqual(['bob@acme.example', 'carol@acme.example']);
    expect(within(d).getByRole('button', { name: 'Remove bob@acme.example from Developers' })).toBeTruthy();
    expect(within(d).getByRole('button', { name: 'Add to Developers' })).toBeTruthy();
    expect(within(within(d).getByRole('combobox', { name: 'Give Developers access to' })).getAllByRole('option').map((o) => o.textContent)).toEqual(['Eng', 'Ops']);
    const p = card('Pair');
    expect(within(p).getByText('private group of bob@acme.example · default view')).toBeTruthy();
    expect(within(p).getByText('Opens no vault yet.')).toBeTruthy();
    expect(within(p).queryByRole('button')).toBeNull();
    expect(within(p).queryByRole('textbox')).toBeNull();
  });

  it('never offers to remove the manager of a private group', () => {
    show({ groups: [{ ...pair, can_remove_members: true, can_add_members: true }] });
    expect(screen.queryByRole('button', { name: 'Remove bob@acme.example from Pair' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Remove ann@acme.example from Pair' })).toBeTruthy();
  });

  it('adds the people typed, however they are separated', async () => {
    vi.mocked(core.addGroupMembers).mockResolvedValue({ done: 2 });
    const { reload } = show();
    const input = screen.getByLabelText('Add to Developers (registered e-mail)');
    fireEvent.input(input, { target: { value: 'dan@acme.example, eve@acme.example;fay@acme.example' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add to Developers' }));
    expect(await screen.findByText('Added dan@acme.example, eve@acme.example;fay@acme.example to Developers.')).toBeTruthy();
    expect(core.addGroupMembers).toHaveBeenCalledWith('o-acme', 'g-dev', ['dan@acme.example', 'eve@acme.example', 'fay@acme.example']);
    expect((input as HTMLInputElement).value).toBe('');
    expect(reload).toHaveBeenCalled();
  });

  it('removes a member and gives access', async () => {
    vi.mocked(core.removeGroupMember).mockResolvedValue({ ok: true });
    vi.mocked(core.grant).mockResolvedValue({ ok: true });
    show();
    fireEvent.click(screen.getByRole('button', { name: 'Remove carol@acme.example from Developers' }));
    expect(await screen.findByText('carol@acme.example left Developers.')).toBeTruthy();
    expect(core.removeGroupMember).toHaveBeenCalledWith('o-acme', 'g-dev', 'carol@acme.example');
    fireEvent.change(screen.getByRole('combobox', { name: 'Give Developers access to' }), { target: { value: 'v-ops' } });
    fireEvent.change(screen.getByRole('combobox', { name: 'Permission of Developers' }), { target: { value: 'manage' } });
    fireEvent.click(screen.getByRole('button', { name: 'Give Developers access' }));
    expect(await screen.findByText('Developers can now manage Ops.')).toBeTruthy();
    expect(core.grant).toHaveBeenCalledWith('v-ops', 'group', 'g-dev', 'manage');
  });

  it('shows the owner a switch per group for its export policy, and what the policy cannot stop', () => {
    show({ groups: [{ ...devs, can_set_export_policy: true }, { ...pair, can_set_export_policy: true, export_my_vault_only: true }] });
    const d = within(card('Developers')).getByRole('checkbox', { name: 'Allow export of My Vault only for Developers' }) as HTMLInputElement;
    const p = within(card('Pair')).getByRole('checkbox', { name: 'Allow export of My Vault only for Pair' }) as HTMLInputElement;
    expect([d.checked, p.checked]).toEqual([false, true]);
    expect(within(card('Pair')).getByText('Export: My Vault only')).toBeTruthy();
    expect(within(card('Developers')).queryByText('Export: My Vault only')).toBeNull();
    const help = screen.getByText('What “Allow export of My Vault only” does').closest('details')!;
    expect(help.textContent).toContain('its members export no vault of this organisation');
    expect(help.textContent).toContain('someone who can read an item can still copy it');
  });

  it('shows a member the policy but no switch', () => {
    show({ org: org({ role: 'member', can_manage_groups: false }), groups: [{ ...devs, export_my_vault_only: true }, pair] });
    expect(screen.queryByRole('checkbox')).toBeNull();
    expect(within(card('Developers')).getByText('Export: My Vault only')).toBeTruthy();
    expect(within(card('Pair')).queryByText('Export: My Vault only')).toBeNull();
    expect(screen.getByText('What “Allow export of My Vault only” does')).toBeTruthy();
  });

  it('says nothing of the policy to a member when no group has it', () => {
    show({ org: org({ role: 'member', can_manage_groups: false }) });
    expect(screen.queryByText('What “Allow export of My Vault only” does')).toBeNull();
  });

  it('switches a group to My Vault only after a dialog that says what it does and cannot do, and back', async () => {
    vi.mocked(core.setGroupExportPolicy).mockResolvedValue({ ok: true });
    const { reload } = show({ groups: [{ ...devs, can_set_export_policy: true }] });
    const box = screen.getByRole('checkbox', { name: 'Allow export of My Vault only for Developers' }) as HTMLInputElement;
    fireEvent.click(box);
    expect(box.checked).toBe(false); // until the dialog's button says so
    const dialog = screen.getByRole('alertdialog', { name: 'Allow Developers to export My Vault only?' });
    expect(dialog.textContent).toContain('its members export no vault of this organisation');
    expect(dialog.textContent).toContain('someone who can read an item can still copy it');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Allow export of My Vault only' }));
    expect(await screen.findByText('Developers now allows export of My Vault only.')).toBeTruthy();
    expect(core.setGroupExportPolicy).toHaveBeenCalledWith('o-acme', 'g-dev', true);
    expect(reload).toHaveBeenCalled();
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
  });

  it('frees a flagged group; Cancel changes nothing; a refusal is said in the dialog', async () => {
    vi.mocked(core.setGroupExportPolicy).mockRejectedValue(new CoreError('permission denied: only the owner may do this', 'forbidden'));
    show({ groups: [{ ...devs, can_set_export_policy: true, export_my_vault_only: true }] });
    const box = screen.getByRole('checkbox', { name: 'Allow export of My Vault only for Developers' }) as HTMLInputElement;
    fireEvent.click(box);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(box.checked).toBe(true);
    fireEvent.click(box);
    const dialog = screen.getByRole('alertdialog', { name: 'Let Developers export everything?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Allow export of everything' }));
    await waitFor(() => expect(within(dialog).getByRole('alert').textContent).toContain('only the owner may do this'));
    expect(core.setGroupExportPolicy).toHaveBeenCalledWith('o-acme', 'g-dev', false);
    expect(box.checked).toBe(true);
  });

  it('offers the owner a new group, a member a new private group, or neither', () => {
    show();
    expect(screen.getByRole('button', { name: 'New group' })).toBeTruthy();
  });

  it('offers a member a private group', () => {
    show({ org: org({ role: 'member', can_manage_groups: false, can_create_private_group: true }) });
    expect(screen.getByRole('button', { name: 'New private group' })).toBeTruthy();
  });

  it('offers a member who may make none no group', () => {
    show({ org: org({ role: 'member', can_manage_groups: false, can_create_private_group: false }), groups: [] });
    expect(screen.queryByRole('button', { name: /group/ })).toBeNull();
    expect(screen.getByRole('heading', { name: 'No groups yet' })).toBeTruthy();
  });

  it('makes a group in the dialog', async () => {
    vi.mocked(core.createGroup).mockResolvedValue({ id: 'g-new' });
    const { reload } = show();
    fireEvent.click(screen.getByRole('button', { name: 'New group' }));
    const dialog = screen.getByRole('dialog', { name: 'New group' });
    fireEvent.input(within(dialog).getByRole('textbox', { name: 'Group name' }), { target: { value: 'Marketing' } });
    fireEvent.change(within(dialog).getByRole('combobox', { name: 'Default permission' }), { target: { value: 'edit' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create the group' }));
    expect(await screen.findByText('Group Marketing created.')).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(core.createGroup).toHaveBeenCalledWith('o-acme', 'Marketing', false, 'edit');
    expect(reload).toHaveBeenCalled();
  });
});
