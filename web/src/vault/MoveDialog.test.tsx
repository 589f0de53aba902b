import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError } from '../core';
import { item } from '../test/app';
import { MoveDialog } from './MoveDialog';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const targets = [{ id: 'v-my', label: 'My Vault' }, { id: 'v-eng', label: 'Acme/Eng' }];

function open(over: Parameters<typeof item>[0] = {}) {
  const onClose = vi.fn(), onDone = vi.fn();
  const it = item({ id: 'i-7', vault_id: 'v-ops', vault: 'Acme/Ops', content: { name: 'Deploy key' }, move_targets: targets, ...over });
  render(<MoveDialog item={it} onClose={onClose} onDone={onDone} />);
  return { onClose, onDone, dialog: screen.getByRole('dialog', { name: 'Move Deploy key' }) };
}

describe('MoveDialog', () => {
  it("offers only the item's move targets", () => {
    const { dialog } = open();
    const select = within(dialog).getByRole('combobox', { name: 'Move to' });
    expect(within(select).getAllByRole('option').map((o) => o.textContent)).toEqual(['My Vault', 'Acme/Eng']);
    expect(within(dialog).getByText(/^Now in Acme\/Ops\./)).toBeTruthy();
  });

  it('moves the item to the vault chosen', async () => {
    vi.mocked(core.move).mockResolvedValue({ id: 'i-7', vault: 'Acme/Eng' });
    const { dialog, onDone } = open();
    fireEvent.change(within(dialog).getByRole('combobox', { name: 'Move to' }), { target: { value: 'v-eng' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Move to Acme/Eng' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith('Moved to Acme/Eng; its history went along.'));
    expect(core.move).toHaveBeenCalledWith('i-7', 'v-eng');
  });

  it('says a refusal in words and stays open', async () => {
    vi.mocked(core.move).mockRejectedValue(new CoreError('permission denied: you can only view Acme/Ops', 'forbidden'));
    const { dialog, onDone, onClose } = open();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Move to My Vault' }));
    expect((await within(dialog).findByRole('alert')).textContent).toMatch(/^Not allowed: you can only view Acme\/Ops\./);
    expect(onDone).not.toHaveBeenCalled();
    expect(onClose).not.toHaveBeenCalled();
  });

  it('says so when there is no vault to move it to', () => {
    const { dialog, onClose } = open({ move_targets: [] });
    expect(within(dialog).getByText('There is no other vault you can move this item to.')).toBeTruthy();
    expect(within(dialog).queryByRole('combobox')).toBeNull();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(onClose).toHaveBeenCalled();
    expect(core.move).not.toHaveBeenCalled();
  });
});
