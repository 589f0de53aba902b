import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError, type Group } from '../core';
import { org, orgDetail, renderInApp, vaultInfo } from '../test/app';
import { Vaults } from './Vaults';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const devs: Group = { id: 'g-dev', name: 'Developers', private: false, default_permission: 'edit', members: [], manager: '', manages: false, can_add_members: false, can_remove_members: false, can_grant: true, export_my_vault_only: false, can_set_export_policy: false };
const pair: Group = { ...devs, id: 'g-pair', name: 'Pair', private: true, default_permission: 'view' };
const eng = vaultInfo({
  id: 'v-eng', label: 'Acme/Eng', name: 'Eng', permission: 'manage',
  access: [
    { kind: 'user', id: 'u-ann', name: 'ann@acme.example', permission: 'manage' },
    { kind: 'group', id: 'g-dev', name: 'Developers', permission: 'edit' },
    { kind: 'user', id: 'u-bob', name: 'bob@acme.example', permission: 'view' },
  ],
});
const ops = vaultInfo({ id: 'v-ops', label: 'Acme/Ops', name: 'Ops', permission: 'view', can_manage: false, can_create: false });

function show(over: Parameters<typeof orgDetail>[0] = {}) {
  const reload = vi.fn();
  const r = renderInApp(<Vaults detail={orgDetail({ vaults: [eng, ops], groups: [devs, pair], roster: ['ann@acme.example', 'bob@acme.example', 'carol@acme.example'], ...over })} reload={reload} />);
  return { ...r, reload };
}

const card = (name: string) => screen.getByRole('heading', { name }).closest('li')!;

describe('Vaults', () => {
  it('shows who can open a vault this account manages, and only a note for one it does not', () => {
    show();
    const table = within(card('Eng')).getByRole('table', { name: 'Who can open Eng' });
    expect(within(table).getByText('ann@acme.example (you)')).toBeTruthy();
    expect(within(table).queryByRole('button', { name: 'Revoke ann@acme.example from Eng' })).toBeNull(); // not yourself
    expect(within(table).getByRole('button', { name: 'Revoke Developers from Eng' })).toBeTruthy();
    expect((within(table).getByRole('combobox', { name: 'Permission of bob@acme.example on Eng' }) as HTMLSelectElement).value).toBe('view');
    expect(within(card('Ops')).queryByRole('table')).toBeNull();
    expect(within(card('Ops')).getByText('Whoever manages Ops decides who can open it.')).toBeTruthy();
    expect(within(card('Ops')).queryByRole('button')).toBeNull();
  });

  it('changes a permission and revokes', async () => {
    vi.mocked(core.grant).mockResolvedValue({ ok: true });
    vi.mocked(core.revoke).mockResolvedValue({ ok: true });
    const { reload } = show();
    fireEvent.change(screen.getByRole('combobox', { name: 'Permission of bob@acme.example on Eng' }), { target: { value: 'edit' } });
    expect(await screen.findByText('bob@acme.example can now edit Eng.')).toBeTruthy();
    expect(core.grant).toHaveBeenCalledWith('v-eng', 'user', 'bob@acme.example', 'edit');
    fireEvent.click(screen.getByRole('button', { name: 'Revoke Developers from Eng' }));
    expect(await screen.findByText('Developers can no longer open Eng.')).toBeTruthy();
    expect(core.revoke).toHaveBeenCalledWith('v-eng', 'group', 'g-dev');
    expect(reload).toHaveBeenCalledTimes(2);
  });

  it("grants to organisation groups (at the group's default permission) and people", async () => {
    vi.mocked(core.grant).mockResolvedValue({ ok: true });
    show();
    const to = within(card('Eng')).getByRole('combobox', { name: 'Grant Eng to' });
    expect(within(to).getAllByRole('option').map((o) => o.textContent)).toEqual(['group Developers', 'ann@acme.example', 'bob@acme.example', 'carol@acme.example']);
    const perm = within(card('Eng')).getByRole('combobox', { name: 'Permission on Eng' }) as HTMLSelectElement;
    expect(perm.value).toBe('edit');
    fireEvent.change(to, { target: { value: 'user:carol@acme.example' } });
    expect(perm.value).toBe('view');
    fireEvent.change(perm, { target: { value: 'manage' } });
    fireEvent.click(screen.getByRole('button', { name: 'Grant access to Eng' }));
    expect(await screen.findByText('Granted manage on Eng.')).toBeTruthy();
    expect(core.grant).toHaveBeenCalledWith('v-eng', 'user', 'carol@acme.example', 'manage');
  });

  it('says a refusal in words', async () => {
    vi.mocked(core.revoke).mockRejectedValue(new CoreError('permission denied: only a manager revokes', 'forbidden'));
    show();
    fireEvent.click(screen.getByRole('button', { name: 'Revoke Developers from Eng' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/^Not allowed: only a manager revokes\./);
  });

  it('creates a vault, for whoever may', async () => {
    vi.mocked(core.createVault).mockResolvedValue({ id: 'v-new' });
    const { reload } = show();
    fireEvent.click(screen.getByRole('button', { name: 'New vault' }));
    const dialog = screen.getByRole('dialog', { name: 'New vault' });
    fireEvent.input(within(dialog).getByRole('textbox', { name: 'Vault name' }), { target: { value: 'Marketing' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create the vault' }));
    expect(await screen.findByText('Vault Marketing created.')).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(core.createVault).toHaveBeenCalledWith('o-acme', 'Marketing');
    expect(reload).toHaveBeenCalled();
  });

  it('offers no New vault to a member who may not make one', () => {
    show({ org: org({ role: 'member', can_create_vault: false }), vaults: [] });
    expect(screen.queryByRole('button', { name: 'New vault' })).toBeNull();
    expect(screen.getByRole('heading', { name: 'No vaults you can open' })).toBeTruthy();
  });
});
