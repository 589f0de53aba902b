import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError, type ShareGroup } from '../core';
import { item } from '../test/app';
import { ShareDialog } from './ShareDialog';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const groups: ShareGroup[] = [
  { id: 'g-pair', name: 'Pair', org_id: 'o-acme', org: 'Acme', vault_id: 'v-pair', can_set_permission: false },
  { id: 'g-ops', name: 'Ops', org_id: 'o-guild', org: 'Guild', vault_id: 'v-ops', can_set_permission: true },
];

function open(over: Parameters<typeof item>[0] = {}) {
  const onClose = vi.fn(), onDone = vi.fn();
  const it = item({ id: 'i-7', vault: 'My Vault', content: { name: 'Deploy key' }, share_groups: groups, ...over });
  render(<ShareDialog item={it} onClose={onClose} onDone={onDone} />);
  const dialog = screen.getByRole('dialog', { name: 'Share Deploy key' });
  return { onClose, onDone, dialog };
}

describe('ShareDialog', () => {
  it("offers only the item's share groups", () => {
    const { dialog } = open();
    const select = within(dialog).getByRole('combobox', { name: 'Share with' });
    expect(within(select).getAllByRole('option').map((o) => o.textContent)).toEqual(['Pair (Acme)', 'Ops (Guild)']);
  });

  it('lets the permission be chosen only where the core says it can be', () => {
    const { dialog } = open();
    const perm = within(dialog).getByRole('combobox', { name: 'Permission' }) as HTMLSelectElement;
    expect(perm.disabled).toBe(true);
    expect(perm.value).toBe('view');
    fireEvent.change(within(dialog).getByRole('combobox', { name: 'Share with' }), { target: { value: 'g-ops' } });
    expect(perm.disabled).toBe(false);
    expect(within(perm).getAllByRole('option').map((o) => o.textContent)).toEqual(['view only', 'edit', 'manage']);
  });

  it('shares with the group chosen, view only where nothing else may be chosen', async () => {
    vi.mocked(core.share).mockResolvedValue({ id: 'i-7', vault: 'Acme/Pair' });
    const { dialog, onDone } = open();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Share with Pair' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith('Shared with Pair (view); it is now in Acme/Pair.'));
    expect(core.share).toHaveBeenCalledWith('i-7', 'o-acme', 'g-pair', 'view');
  });

  it('shares with the permission chosen', async () => {
    vi.mocked(core.share).mockResolvedValue({ id: 'i-7', vault: 'Guild/Ops' });
    const { dialog, onDone } = open();
    fireEvent.change(within(dialog).getByRole('combobox', { name: 'Share with' }), { target: { value: 'g-ops' } });
    fireEvent.change(within(dialog).getByRole('combobox', { name: 'Permission' }), { target: { value: 'edit' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Share with Ops' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith('Shared with Ops (edit); it is now in Guild/Ops.'));
    expect(core.share).toHaveBeenCalledWith('i-7', 'o-guild', 'g-ops', 'edit');
  });

  it("says the core's refusal in words", async () => {
    vi.mocked(core.share).mockRejectedValue(new CoreError('scope', 'permission-scope'));
    const { dialog, onDone } = open();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Share with Pair' }));
    expect((await within(dialog).findByRole('alert')).textContent).toMatch(/^Everything in a group's vault has one permission/);
    expect(onDone).not.toHaveBeenCalled();
  });

  it('says what to do when there is no group to share with', () => {
    const { dialog } = open({ share_groups: [] });
    expect(within(dialog).getByText(/^You are in no private group to share this with\./)).toBeTruthy();
    expect(within(dialog).queryByRole('combobox')).toBeNull();
  });

  it('does not carry a permission chosen for one group over to a group it cannot be set for', async () => {
    vi.mocked(core.share).mockResolvedValue({ id: 'i-7', vault: 'Acme/Pair' });
    const { dialog, onDone } = open();
    const group = within(dialog).getByRole('combobox', { name: 'Share with' });
    const perm = within(dialog).getByRole('combobox', { name: 'Permission' }) as HTMLSelectElement;
    fireEvent.change(group, { target: { value: 'g-ops' } });
    fireEvent.change(perm, { target: { value: 'manage' } });
    fireEvent.change(group, { target: { value: 'g-pair' } });
    expect(perm.disabled).toBe(true);
    expect(perm.value).toBe('view');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Share with Pair' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith('Shared with Pair (view); it is now in Acme/Pair.'));
    expect(core.share).toHaveBeenCalledWith('i-7', 'o-acme', 'g-pair', 'view');
  });
});
