import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { CoreError } from '../core';
import { deferred } from '../test/app';
import { ConfirmDialog } from './ConfirmDialog';

function ask(onConfirm: () => Promise<unknown>, onClose = vi.fn()) {
  render(<ConfirmDialog title="Remove ben@pvy.example?" text="Ben can no longer open any vault of PVY." action="Remove ben@pvy.example from PVY" danger
    onConfirm={onConfirm} onClose={onClose} />);
  return { onClose, dialog: screen.getByRole('alertdialog', { name: 'Remove ben@pvy.example?', description: 'Ben can no longer open any vault of PVY.' }) };
}

describe('ConfirmDialog', () => {
  it('names its button by the action, never OK', () => {
    ask(vi.fn());
    expect(screen.getByRole('button', { name: 'Remove ben@pvy.example from PVY' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: /^ok$/i })).toBeNull();
  });

  it('runs the action, says it is working, and closes when it succeeded', async () => {
    const done = deferred<void>();
    const onConfirm = vi.fn(() => done.promise);
    const { onClose } = ask(onConfirm);
    fireEvent.click(screen.getByRole('button', { name: 'Remove ben@pvy.example from PVY' }));
    expect(onConfirm).toHaveBeenCalledTimes(1);
    const working = await screen.findByRole('button', { name: 'Working…' });
    expect((working as HTMLButtonElement).disabled).toBe(true);
    expect(onClose).not.toHaveBeenCalled();
    done.resolve();
    await waitFor(() => expect(onClose).toHaveBeenCalledTimes(1));
  });

  it('says a failure in words in the dialog and stays open', async () => {
    const onConfirm = vi.fn(() => Promise.reject(new CoreError('permission denied: only the owner removes members', 'forbidden')));
    const { onClose, dialog } = ask(onConfirm);
    fireEvent.click(screen.getByRole('button', { name: 'Remove ben@pvy.example from PVY' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Not allowed: only the owner removes members. Ask whoever manages the vault or organisation.');
    expect(dialog.contains(alert)).toBe(true);
    expect(onClose).not.toHaveBeenCalled();
    const again = screen.getByRole('button', { name: 'Remove ben@pvy.example from PVY' }) as HTMLButtonElement;
    expect(again.disabled).toBe(false);
  });

  it('clears the error when tried again', async () => {
    const onConfirm = vi.fn().mockRejectedValueOnce(new Error('boom')).mockResolvedValueOnce(undefined);
    const { onClose } = ask(onConfirm);
    fireEvent.click(screen.getByRole('button', { name: 'Remove ben@pvy.example from PVY' }));
    await screen.findByText('Error: boom');
    fireEvent.click(screen.getByRole('button', { name: 'Remove ben@pvy.example from PVY' }));
    await waitFor(() => expect(onClose).toHaveBeenCalledTimes(1));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('does nothing on Cancel but close', () => {
    const onConfirm = vi.fn();
    const { onClose } = ask(onConfirm);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(onConfirm).not.toHaveBeenCalled();
  });
});
