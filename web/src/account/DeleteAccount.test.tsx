import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError } from '../core';
import { DeleteAccount } from './DeleteAccount';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const open = () => {
  fireEvent.click(screen.getByRole('button', { name: 'Delete your account…' }));
  const dialog = screen.getByRole('alertdialog', { name: 'Delete your account for good?' });
  fireEvent.input(within(dialog).getByLabelText('Master password'), { target: { value: 'my master password' } });
  fireEvent.click(within(dialog).getByRole('button', { name: 'Delete my account' }));
  return dialog;
};

describe('DeleteAccount', () => {
  it('asks for the master password and deletes the account', async () => {
    vi.mocked(core.deleteAccount).mockResolvedValue({ state: 'none' });
    const onDeleted = vi.fn();
    render(<DeleteAccount onDeleted={onDeleted} />);
    open();
    await waitFor(() => expect(onDeleted).toHaveBeenCalled());
    expect(core.deleteAccount).toHaveBeenCalledWith('my master password');
  });

  it('says the owner’s refusal in the core’s words', async () => {
    vi.mocked(core.deleteAccount).mockRejectedValue(new CoreError('the account owns an organisation (Acme); transfer ownership first', 'transfer-ownership'));
    const onDeleted = vi.fn();
    render(<DeleteAccount onDeleted={onDeleted} />);
    const dialog = open();
    await waitFor(() => expect(within(dialog).getByRole('alert').textContent).toBe('the account owns an organisation (Acme); transfer ownership first'));
    expect(onDeleted).not.toHaveBeenCalled();
  });

  it('says a wrong password', async () => {
    vi.mocked(core.deleteAccount).mockRejectedValue(new CoreError('wrong', 'wrong-password'));
    render(<DeleteAccount onDeleted={vi.fn()} />);
    const dialog = open();
    await waitFor(() => expect(within(dialog).getByRole('alert').textContent).toBe('Wrong master password.'));
  });
});
