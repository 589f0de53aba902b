import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError, type Change, type Version } from '../core';
import { renderInApp } from '../test/app';
import { HistoryView } from './HistoryView';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const change = (c: Partial<Change> & { field: string; label: string }): Change => ({ kind: 'text', old: '', new: '', secret: false, restorable: false, ...c });
const version = (v: Partial<Version> & { revision: number }): Version => ({ author: 'ann@acme.example', time: '2025-01-02T03:04:05Z', values: [], changes: [], can_roll_back: false, ...v });

// The core's history of an item, oldest first: labels, what each revision
// was, and what may be restored or rolled back to.
const versions: Version[] = [
  version({ revision: 1, changes: [change({ field: 'name', label: 'Name', new: 'Door' })], can_roll_back: true }),
  version({
    revision: 2, author: 'ben@acme.example',
    changes: [
      change({ field: 'password', label: 'Password', old: 'old-secret-pass', new: 'new-secret-pass', secret: true, restorable: true }),
      change({ field: 'url', label: 'Web address', old: 'https://a.example', new: 'https://b.example' }),
    ],
    can_roll_back: true,
  }),
  version({ revision: 3, what: 'moved from Acme/Eng', changes: [] }),
];

function open() {
  vi.mocked(core.history).mockResolvedValue(versions);
  const onClose = vi.fn();
  const r = renderInApp(<HistoryView id="i-5" onClose={onClose} />);
  return { ...r, onClose };
}

const revision = (n: number) => screen.getByText(`Revision ${n}`).closest('li')!;

describe('HistoryView', () => {
  it('lists the revisions newest first, in the core\'s words', async () => {
    open();
    await screen.findByRole('heading', { name: 'History' });
    expect(core.history).toHaveBeenCalledWith('i-5');
    expect(screen.getAllByText(/^Revision \d$/).map((e) => e.textContent)).toEqual(['Revision 3', 'Revision 2', 'Revision 1']);
    expect(within(revision(3)).getByText('(moved from Acme/Eng)')).toBeTruthy();
    expect(within(revision(2)).getByText('Web address')).toBeTruthy();
    expect(within(revision(2)).queryByText('url')).toBeNull();
    expect(within(revision(2)).getByText(/ben@acme\.example/)).toBeTruthy();
    expect(within(revision(1)).queryByText('Name')).toBeNull(); // the first revision changed nothing
  });

  it('masks secret values until Reveal', async () => {
    open();
    await screen.findByRole('heading', { name: 'History' });
    expect(screen.queryByText('old-secret-pass')).toBeNull();
    expect(screen.getByText('https://a.example')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Reveal secrets', pressed: false }));
    expect(screen.getByText('old-secret-pass')).toBeTruthy();
    expect(screen.getByText('new-secret-pass')).toBeTruthy();
  });

  it('offers Restore only for what the core calls restorable', async () => {
    const { app } = open();
    await screen.findByRole('heading', { name: 'History' });
    const restores = screen.getAllByRole('button', { name: /^Restore / });
    expect(restores.map((b) => b.textContent)).toEqual(['Restore Password from revision 1']);
    vi.mocked(core.restoreField).mockResolvedValue({ revision: 4 });
    fireEvent.click(restores[0]);
    await waitFor(() => expect(app.changed).toHaveBeenCalled());
    expect(core.restoreField).toHaveBeenCalledWith('i-5', 'password', 1);
  });

  it('offers Roll back only where the core says it may', async () => {
    const { app } = open();
    await screen.findByRole('heading', { name: 'History' });
    expect(screen.getAllByRole('button', { name: /^Roll back/ }).map((b) => b.textContent)).toEqual(['Roll back to revision 2', 'Roll back to revision 1']);
    expect(within(revision(3)).queryByRole('button', { name: /^Roll back/ })).toBeNull();
    vi.mocked(core.rollback).mockResolvedValue({ revision: 4 });
    fireEvent.click(screen.getByRole('button', { name: 'Roll back to revision 1' }));
    await waitFor(() => expect(app.changed).toHaveBeenCalled());
    expect(core.rollback).toHaveBeenCalledWith('i-5', 1);
  });

  it('reads the history anew at a change', async () => {
    const { rerenderInApp } = open();
    await screen.findByRole('heading', { name: 'History' });
    vi.mocked(core.history).mockResolvedValue([...versions, version({ revision: 4, what: 'rolled back to revision 1' })]);
    rerenderInApp(<HistoryView id="i-5" onClose={vi.fn()} />, { tick: 1 });
    expect(await screen.findByText('(rolled back to revision 1)')).toBeTruthy();
  });

  it('says a refusal in words', async () => {
    open();
    await screen.findByRole('heading', { name: 'History' });
    vi.mocked(core.rollback).mockRejectedValue(new CoreError('permission denied: you can only view Acme/Eng', 'forbidden'));
    fireEvent.click(screen.getByRole('button', { name: 'Roll back to revision 2' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/^Not allowed: you can only view Acme\/Eng\./);
  });
});
