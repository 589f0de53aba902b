import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError } from '../core';
import { deferred } from '../test/app';
import { pressEscape } from '../test/dialog';
import { RestoreDialog } from './RestoreDialog';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const said = 'the server was restored from a backup of 2026-12-01 10:00 UTC (restored 2026-12-07 09:00 UTC); this device holds 2 item(s) changed since then that the server lost: "Bank" (My Vault), "Wiki" (Acme/Eng). Nothing was changed here: accept the restore to upload them again and continue from the restored server';

function ask() {
  const onClose = vi.fn();
  const onAccepted = vi.fn();
  render(<RestoreDialog text={said} onClose={onClose} onAccepted={onAccepted} />);
  const dialog = screen.getByRole('alertdialog', { name: 'The server was restored from a backup' });
  return { onClose, onAccepted, dialog };
}

describe('RestoreDialog', () => {
  it('says the core’s sentence and offers two choices', () => {
    const { dialog } = ask();
    expect(within(dialog).getByText(/^The server was restored from a backup of 2026-12-01/).textContent).toBe('T' + said.slice(1) + '.');
    expect(within(dialog).getByRole('button', { name: 'Give back what this device holds' })).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: 'Not now' })).toBeTruthy();
  });

  it('changes nothing when put off', () => {
    const { onClose, onAccepted } = ask();
    fireEvent.click(screen.getByRole('button', { name: 'Not now' }));
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(onAccepted).not.toHaveBeenCalled();
    expect(core.acceptRestore).not.toHaveBeenCalled();
  });

  it('is put off with Escape too', () => {
    const { onClose, dialog } = ask();
    pressEscape(dialog);
    expect(onClose).toHaveBeenCalled();
    expect(core.acceptRestore).not.toHaveBeenCalled();
  });

  it('gives back, then says what was given back and what could not be, in the core’s words', async () => {
    const answer = deferred<Awaited<ReturnType<typeof core.acceptRestore>>>();
    vi.mocked(core.acceptRestore).mockReturnValue(answer.promise);
    const { onClose, onAccepted } = ask();
    fireEvent.click(screen.getByRole('button', { name: 'Give back what this device holds' }));
    expect(core.acceptRestore).toHaveBeenCalledTimes(1);
    const working = await screen.findByRole('button', { name: 'Giving back…' });
    expect((working as HTMLButtonElement).disabled).toBe(true);
    answer.resolve({
      accepted: true,
      text: 'Accepted the restore of the server from a backup of 2026-12-01 10:00 UTC: 1 item(s) given back, 1 could not be.',
      given_back: [{ id: 'i-1', name: 'Bank', vault: 'My Vault', text: 'Given back: “Bank” (My Vault).' }],
      not_given_back: [{ id: 'i-2', name: 'Wiki', vault: 'Acme/Eng', reason: 'this account may only view its vault', text: 'Not given back: “Wiki” (Acme/Eng): this account may only view its vault.' }],
    });
    expect((await screen.findByRole('status')).textContent).toBe('Accepted the restore of the server from a backup of 2026-12-01 10:00 UTC: 1 item(s) given back, 1 could not be.');
    expect(within(screen.getByRole('list', { name: 'Given back' })).getByRole('listitem').textContent).toBe('Given back: “Bank” (My Vault).');
    expect(within(screen.getByRole('list', { name: 'Not given back' })).getByRole('listitem').textContent).toBe('Not given back: “Wiki” (Acme/Eng): this account may only view its vault.');
    expect(onAccepted).toHaveBeenCalledTimes(1);
    expect(onClose).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('says a failure in words and stays, still asking', async () => {
    vi.mocked(core.acceptRestore).mockRejectedValue(new CoreError('the server cannot be reached', 'offline'));
    const { onClose, onAccepted, dialog } = ask();
    fireEvent.click(screen.getByRole('button', { name: 'Give back what this device holds' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toBe('The server cannot be reached. Nothing is lost: your changes are still here; try again when it is back.');
    await waitFor(() => expect((screen.getByRole('button', { name: 'Give back what this device holds' }) as HTMLButtonElement).disabled).toBe(false));
    expect(onAccepted).not.toHaveBeenCalled();
    expect(onClose).not.toHaveBeenCalled();
  });
});
