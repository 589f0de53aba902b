import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core } from '../core';
import { item } from '../test/app';
import { ConflictView } from './ConflictView';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const theirs = item({ id: 'i-5', revision: 8, content: { name: 'Door', login: { username: 'bob', password: 'theirs-pass' }, notes: 'their note' } });
const mine = { name: 'Door', login: { username: 'ann', password: 'my-pass' }, tags: ['home'] };

describe('ConflictView', () => {
  it('shows both versions side by side, secrets as bullets', () => {
    render(<ConflictView base={7} theirs={theirs} mine={mine} onDone={vi.fn()} />);
    const view = screen.getByRole('alertdialog', { name: 'Someone else saved first' });
    const t = within(view).getByRole('heading', { name: 'Theirs (revision 8)' }).parentElement!;
    const m = within(view).getByRole('heading', { name: 'Yours' }).parentElement!;
    expect(within(t).getByText('bob')).toBeTruthy();
    expect(within(t).getByText('their note')).toBeTruthy();
    expect(within(m).getByText('ann')).toBeTruthy();
    expect(within(m).getByText('home')).toBeTruthy();
    expect(screen.queryByText(/theirs-pass|my-pass/)).toBeNull();
  });

  it('keeps theirs without saving', () => {
    const onDone = vi.fn();
    render(<ConflictView base={7} theirs={theirs} mine={mine} onDone={onDone} />);
    fireEvent.click(screen.getByRole('button', { name: 'Keep theirs' }));
    expect(onDone).toHaveBeenCalledWith('i-5');
    expect(core.update).not.toHaveBeenCalled();
  });

  it('saves mine over their revision', async () => {
    vi.mocked(core.update).mockResolvedValue({ revision: 9 });
    const onDone = vi.fn();
    render(<ConflictView base={7} theirs={theirs} mine={mine} onDone={onDone} />);
    fireEvent.click(screen.getByRole('button', { name: 'Save mine over theirs' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith('i-5'));
    expect(core.update).toHaveBeenCalledWith('i-5', mine, 8);
  });
});
