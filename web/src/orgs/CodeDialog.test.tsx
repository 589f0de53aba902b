import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { closeAnyway, pressEscape } from '../test/dialog';
import { CodeDialog } from './CodeDialog';

function show(mail: string, emails = ['bob@acme.example']) {
  const onClose = vi.fn();
  render(<CodeDialog code="K7QX-9PLM-2WER" emails={emails} mail={mail} joinLink="https://coffer.example/join?org=o-acme" onClose={onClose} />);
  return { onClose, dialog: screen.getByRole('dialog', { name: 'Confirmation code' }) };
}

describe('CodeDialog', () => {
  it('closes only once the code is said to be copied', () => {
    const { dialog, onClose } = show('sent');
    const close = within(dialog).getByRole('button', { name: 'Close' }) as HTMLButtonElement;
    expect(within(dialog).getByText('K7QX-9PLM-2WER')).toBeTruthy();
    expect(close.disabled).toBe(true);
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'I have copied the code' }));
    expect(close.disabled).toBe(false);
    fireEvent.click(close);
    expect(onClose).toHaveBeenCalled();
  });

  it('stays open on Escape, and says why', () => {
    const { dialog, onClose } = show('sent');
    pressEscape(dialog);
    closeAnyway(dialog);
    expect((dialog as HTMLDialogElement).open).toBe(true);
    expect(within(dialog).getByRole('status').textContent).toBe('Copy the code first, and tick the box — it is shown only now.');
    expect(onClose).not.toHaveBeenCalled();
  });

  it('copies the code, which ticks the box', async () => {
    const write = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue(undefined);
    const { dialog } = show('sent');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Copy the code' }));
    expect(await within(dialog).findByText('Copied; the clipboard is cleared in 30 s.')).toBeTruthy();
    expect(write).toHaveBeenCalledWith('K7QX-9PLM-2WER');
    await waitFor(() => expect((within(dialog).getByRole('checkbox', { name: 'I have copied the code' }) as HTMLInputElement).checked).toBe(true));
  });

  it('gives the Join link to pass on when no e-mail went out', () => {
    const { dialog } = show('none', ['bob@acme.example', 'eve@acme.example']);
    expect(within(dialog).getByText('For 2 people: bob@acme.example, eve@acme.example.')).toBeTruthy();
    expect(within(dialog).getByText(/No e-mail was sent \(this server has no mail set up\)/)).toBeTruthy();
    expect(within(dialog).getByText('https://coffer.example/join?org=o-acme')).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: 'Copy the Join link' })).toBeTruthy();
  });

  it('says a failed e-mail, and keeps the Join link out when it was sent', () => {
    show('failed');
    expect(screen.getByText(/Sending the e-mail failed/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy the Join link' })).toBeTruthy();
  });

  it('leaves the Join link out when the e-mail carried it', () => {
    const { dialog } = show('sent');
    expect(within(dialog).queryByRole('button', { name: 'Copy the Join link' })).toBeNull();
    expect(within(dialog).getByText(/An e-mail with a Join link went to each address; the code is not in it\./)).toBeTruthy();
  });
});
