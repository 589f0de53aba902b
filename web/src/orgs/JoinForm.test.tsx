import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError } from '../core';
import { JoinForm } from './JoinForm';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const joined = { org_id: 'o-acme', org_name: 'Acme', owner_email: 'ann@acme.example', owner_name: 'Ann' };

function show(org?: string) {
  const onJoined = vi.fn();
  render(<JoinForm org={org} onJoined={onJoined} />);
  const code = screen.getByRole('textbox', { name: 'Confirmation code', description: 'The code comes from the person who invited you, by another channel than e-mail.' });
  return { onJoined, code };
}

async function joinWith(err: unknown) {
  vi.mocked(core.join).mockRejectedValue(err);
  const { code } = show('inv-1');
  fireEvent.input(code, { target: { value: 'WRONG' } });
  fireEvent.click(screen.getByRole('button', { name: 'Join' }));
  return (await screen.findByRole('alert')).textContent;
}

describe('JoinForm', () => {
  it('asks for the organisation only when the link did not name it', () => {
    show('inv-1');
    expect(screen.queryByRole('textbox', { name: /^Organisation/ })).toBeNull();
  });

  it('joins the organisation typed with the code, and clears both', async () => {
    vi.mocked(core.join).mockResolvedValue(joined);
    const { code, onJoined } = show();
    const org = screen.getByRole('textbox', { name: 'Organisation (its name, or the org= part of the Join link)' });
    fireEvent.input(org, { target: { value: 'Acme' } });
    fireEvent.input(code, { target: { value: 'ABCD-1234' } });
    fireEvent.click(screen.getByRole('button', { name: 'Join' }));
    await waitFor(() => expect(onJoined).toHaveBeenCalledWith(joined));
    expect(core.join).toHaveBeenCalledWith('Acme', 'ABCD-1234');
    expect((code as HTMLInputElement).value).toBe('');
    expect((org as HTMLInputElement).value).toBe('');
  });

  it('says how many attempts are left after a wrong code', async () => {
    expect(await joinWith(new CoreError('wrong code (3 of 5 attempts left)', 'wrong-code')))
      .toBe('That code is wrong (3 of 5 attempts left). Check it with the person who invited you.');
  });

  it('says what to do once no attempt is left', async () => {
    expect(await joinWith(new CoreError('wrong code (0 of 5 attempts left)', 'wrong-code')))
      .toBe('That code is wrong, and no attempts are left: ask the person who invited you to re-issue the invitation.');
  });

  it("says a locked invitation in the core's words, and that the join failed", async () => {
    vi.mocked(core.join).mockRejectedValue(new CoreError('This invitation is locked after too many wrong codes: ask whoever invited you to invite you again.', 'invitation-locked'));
    const onFailed = vi.fn();
    render(<JoinForm org="inv-1" onJoined={vi.fn()} onFailed={onFailed} />);
    fireEvent.input(screen.getByRole('textbox', { name: 'Confirmation code' }), { target: { value: 'WRONG' } });
    fireEvent.click(screen.getByRole('button', { name: 'Join' }));
    expect((await screen.findByRole('alert')).textContent).toBe('This invitation is locked after too many wrong codes: ask whoever invited you to invite you again.');
    expect(onFailed).toHaveBeenCalled();
  });

  it('offers to prove the address when the server wants it', async () => {
    await joinWith(new CoreError('verify first', 'unverified'));
    expect(screen.getByRole('button', { name: 'Send me a code' })).toBeTruthy();
  });
});
