import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError, type Status } from '../core';
import { Welcome } from './Welcome';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

function show(status: Status, mode?: 'login' | 'signup' | 'unlock') {
  const onDone = vi.fn();
  render(<Welcome status={status} mode={mode} onDone={onDone} />);
  return { onDone };
}

const type = (label: string, value: string) => fireEvent.input(screen.getByLabelText(label), { target: { value } });

describe('Welcome', () => {
  it('says next to the second password that the two differ, and signs nobody up', () => {
    show({ state: 'none' });
    expect(screen.getByRole('heading', { name: 'Create your account' })).toBeTruthy();
    type('E-mail', 'ann@acme.example');
    type('Your name', 'Ann');
    type('Master password', 'correct horse battery staple');
    type('Master password again', 'correct horse battery stable');
    fireEvent.click(screen.getByRole('button', { name: 'Create your account' }));
    const again = screen.getByLabelText('Master password again');
    const error = screen.getByText('The two passwords differ.');
    expect(again.getAttribute('aria-invalid')).toBe('true');
    expect(again.getAttribute('aria-describedby')).toBe(error.id); // read out with the field
    expect(again.parentElement!.contains(error)).toBe(true); // and shown right under it
    expect(screen.queryByRole('alert')).toBeNull(); // not somewhere else
    expect(core.signup).not.toHaveBeenCalled();
    // Typing again clears it.
    type('Master password again', 'correct horse battery staple');
    expect(screen.queryByText('The two passwords differ.')).toBeNull();
  });

  it('signs up with matching passwords', async () => {
    vi.mocked(core.signup).mockResolvedValue({ state: 'unlocked', email: 'ann@acme.example', notices: [] });
    const { onDone } = show({ state: 'none' });
    type('E-mail', 'ann@acme.example');
    type('Your name', 'Ann');
    type('Master password', 'correct horse battery staple');
    type('Master password again', 'correct horse battery staple');
    expect(screen.getByLabelText('Password strength')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Create your account' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith(expect.objectContaining({ state: 'unlocked', email: 'ann@acme.example' })));
    expect(core.signup).toHaveBeenCalledWith('ann@acme.example', 'Ann', 'correct horse battery staple');
  });

  it('switches between sign-up and log-in by its links, and the address follows', () => {
    history.replaceState(null, '', '/signup');
    show({ state: 'none' });
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(screen.getByRole('heading', { name: 'Log in' })).toBeTruthy();
    expect(location.pathname).toBe('/login');
    expect(screen.queryByLabelText('Your name')).toBeNull();
    expect(screen.queryByLabelText('Master password again')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Create an account' }));
    expect(screen.getByRole('heading', { name: 'Create your account' })).toBeTruthy();
    expect(location.pathname).toBe('/signup');
  });

  it('keeps the address of a deep link while switching', () => {
    history.replaceState(null, '', '/vault/all/i-9');
    show({ state: 'none' }, 'login');
    fireEvent.click(screen.getByRole('button', { name: 'Create an account' }));
    expect(screen.getByRole('heading', { name: 'Create your account' })).toBeTruthy();
    expect(location.pathname).toBe('/vault/all/i-9');
  });

  it('unlocks a locked session, and offers logging in as someone else', async () => {
    vi.mocked(core.unlock).mockRejectedValueOnce(new CoreError('wrong', 'wrong-password'));
    show({ state: 'locked', email: 'ann@acme.example' });
    expect(screen.getByRole('heading', { name: 'Unlock' })).toBeTruthy();
    expect(screen.queryByLabelText('E-mail')).toBeNull();
    type('Master password', 'not it at all');
    fireEvent.click(screen.getByRole('button', { name: 'Unlock' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong master password.');
    fireEvent.click(screen.getByRole('button', { name: 'Log in as someone else' }));
    expect(screen.getByRole('heading', { name: 'Log in' })).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Unlock' })); // the link back
    expect(screen.getByRole('heading', { name: 'Unlock' })).toBeTruthy();
  });

  it('says why the app locked itself (this device was signed out elsewhere)', () => {
    render(<Welcome status={{ state: 'locked', email: 'ann@acme.example' }} note="This device was signed out from another device." onDone={vi.fn()} />);
    expect(screen.getByRole('status').textContent).toBe('This device was signed out from another device.');
  });

  it('asks for the mailed code when the server holds the sign-up', async () => {
    vi.mocked(core.signup).mockResolvedValue({ state: 'verify', user_id: 'u-1', email: 'ann@acme.example', notices: [] });
    vi.mocked(core.verifySignup).mockResolvedValue({ ok: true });
    vi.mocked(core.login).mockResolvedValue({ state: 'unlocked', email: 'ann@acme.example', notices: [] });
    const { onDone } = show({ state: 'none' });
    type('E-mail', 'ann@acme.example');
    type('Your name', 'Ann');
    type('Master password', 'correct horse battery staple');
    type('Master password again', 'correct horse battery staple');
    fireEvent.click(screen.getByRole('button', { name: 'Create your account' }));
    expect(await screen.findByRole('heading', { name: 'Check your e-mail' })).toBeTruthy();
    type('Code from the e-mail', '123456');
    fireEvent.click(screen.getByRole('button', { name: 'Verify and log in' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith(expect.objectContaining({ state: 'unlocked' })));
    expect(core.verifySignup).toHaveBeenCalledWith('u-1', '123456');
    expect(core.login).toHaveBeenCalledWith('ann@acme.example', 'correct horse battery staple');
  });

  it('asks for the two-factor code when the account has two-factor log-in, then logs in with it', async () => {
    vi.mocked(core.login)
      .mockRejectedValueOnce(new CoreError('this account has two-factor log-in', 'second-factor-required'))
      .mockResolvedValueOnce({ state: 'unlocked', email: 'ann@acme.example', notices: [] });
    const { onDone } = show({ state: 'none' }, 'login');
    type('E-mail', 'ann@acme.example');
    type('Master password', 'correct horse battery staple');
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    const field = await screen.findByLabelText('Two-factor code (or a recovery code)');
    expect(screen.queryByRole('alert')).toBeNull(); // a step, not an error
    fireEvent.input(field, { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith(expect.objectContaining({ state: 'unlocked' })));
    expect(core.login).toHaveBeenLastCalledWith('ann@acme.example', 'correct horse battery staple', '123456');
  });
});
