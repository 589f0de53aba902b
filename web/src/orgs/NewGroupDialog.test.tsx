import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError } from '../core';
import { org } from '../test/app';
import { NewGroupDialog } from './NewGroupDialog';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

function show(role: string) {
  const onDone = vi.fn(), onClose = vi.fn();
  render(<NewGroupDialog org={org({ role })} onClose={onClose} onDone={onDone} />);
  return { onDone, onClose };
}

describe('NewGroupDialog', () => {
  it('lets the owner make a private group too', async () => {
    vi.mocked(core.createGroup).mockResolvedValue({ id: 'g-1' });
    const { onDone } = show('owner');
    const dialog = screen.getByRole('dialog', { name: 'New group' });
    const priv = within(dialog).getByRole('checkbox', { name: 'Private (a group of yours, with its own vault)' }) as HTMLInputElement;
    expect(priv.checked).toBe(false);
    fireEvent.input(within(dialog).getByRole('textbox', { name: 'Group name' }), { target: { value: 'Pair' } });
    fireEvent.click(priv);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create the group' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith('Group Pair created.'));
    expect(core.createGroup).toHaveBeenCalledWith('o-acme', 'Pair', true, 'view');
  });

  it("makes a member's group a private one", async () => {
    vi.mocked(core.createGroup).mockResolvedValue({ id: 'g-1' });
    const { onDone } = show('member');
    const dialog = screen.getByRole('dialog', { name: 'New private group' });
    expect(within(dialog).queryByRole('checkbox')).toBeNull();
    fireEvent.input(within(dialog).getByRole('textbox', { name: 'Group name' }), { target: { value: 'Pair' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create the group' }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(core.createGroup).toHaveBeenCalledWith('o-acme', 'Pair', true, 'view');
  });

  it('says a refusal in words and stays open', async () => {
    vi.mocked(core.createGroup).mockRejectedValue(new CoreError('a group named Pair exists', 'exists'));
    const { onDone } = show('owner');
    fireEvent.input(screen.getByRole('textbox', { name: 'Group name' }), { target: { value: 'Pair' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create the group' }));
    expect((await screen.findByRole('alert')).textContent).toBe('a group named Pair exists');
    expect(onDone).not.toHaveBeenCalled();
    expect(screen.getByRole('dialog', { name: 'New group' })).toBeTruthy();
  });
});
