import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core } from '../core';
import { renderInApp, summary } from '../test/app';
import { Trash } from './Trash';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const trashed = [summary({ id: 'i-1', name: 'Old router', vault: 'My Vault', trashed: true }), summary({ id: 'i-2', name: 'Staging DB', vault: 'Acme/Eng', trashed: true })];

async function open() {
  vi.mocked(core.trashed).mockResolvedValue(trashed);
  const r = renderInApp(<Trash />);
  await screen.findByText('Old router');
  return r;
}

describe('Trash', () => {
  it('asks in a dialog before deleting for good', async () => {
    vi.mocked(core.purge).mockResolvedValue({ ok: true });
    const { app } = await open();
    fireEvent.click(screen.getByRole('button', { name: 'Delete Staging DB for good' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Delete Staging DB for good?', description: 'It and all its history are deleted from the server. This cannot be undone.' });
    expect(core.purge).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete Staging DB for good' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(core.purge).toHaveBeenCalledWith('i-2');
    expect(app.changed).toHaveBeenCalled();
  });

  it('deletes nothing when the dialog is cancelled', async () => {
    await open();
    fireEvent.click(screen.getByRole('button', { name: 'Delete Old router for good' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(core.purge).not.toHaveBeenCalled();
  });

  it('restores an item at once', async () => {
    vi.mocked(core.restore).mockResolvedValue({ ok: true });
    const { app } = await open();
    fireEvent.click(screen.getByRole('button', { name: 'Restore Old router' }));
    await waitFor(() => expect(app.changed).toHaveBeenCalled());
    expect(core.restore).toHaveBeenCalledWith('i-1');
  });

  it('says when the trash is empty', async () => {
    vi.mocked(core.trashed).mockResolvedValue([]);
    renderInApp(<Trash />);
    expect(await screen.findByRole('heading', { name: 'The trash is empty' })).toBeTruthy();
  });
});
