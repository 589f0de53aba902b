import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError, type Status } from '../core';
import { useKey } from '../webauthn';
import { Welcome } from './Welcome';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));
vi.mock('../webauthn', () => ({ useKey: vi.fn(), createKey: vi.fn() }));

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
      .mockResolvedValueOnce({ state: 'second-factor', email: 'ann@acme.example', notices: [], second_factor: { methods: ['totp', 'recovery_code'] } })
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

  it('offers the security key when the account has one: the options go to the browser as they are, its answer to the core', async () => {
    const options = { publicKey: { challenge: 'Y2hhbGxlbmdlLWNoYWxsZW5nZQ', allowCredentials: [{ type: 'public-key', id: 'a2V5' }] } };
    vi.mocked(core.login).mockResolvedValueOnce({ state: 'second-factor', email: 'ann@acme.example', notices: [], second_factor: { methods: ['recovery_code', 'webauthn'], webauthn: options } });
    vi.mocked(useKey).mockResolvedValueOnce('{"id":"a2V5"}');
    vi.mocked(core.loginSecurityKey).mockResolvedValueOnce({ state: 'unlocked', email: 'ann@acme.example', notices: [] });
    const { onDone } = show({ state: 'none' }, 'login');
    type('E-mail', 'ann@acme.example');
    type('Master password', 'correct horse battery staple');
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    const key = await screen.findByRole('button', { name: 'Use your security key' });
    expect(screen.getByLabelText('Recovery code')).toBeTruthy(); // no TOTP on this account
    expect(screen.queryByRole('alert')).toBeNull();
    fireEvent.click(key);
    await waitFor(() => expect(onDone).toHaveBeenCalledWith(expect.objectContaining({ state: 'unlocked' })));
    expect(useKey).toHaveBeenCalledWith(options);
    expect(core.loginSecurityKey).toHaveBeenCalledWith('ann@acme.example', 'correct horse battery staple', '{"id":"a2V5"}');
  });

  it('says a refused key clearly, and asks a fresh challenge for the next try', async () => {
    const sf = { methods: ['webauthn'], webauthn: { publicKey: { challenge: 'Y2hhbGxlbmdlLWNoYWxsZW5nZQ' } } };
    vi.mocked(core.login)
      .mockResolvedValueOnce({ state: 'second-factor', email: 'ann@acme.example', notices: [], second_factor: sf })
      .mockResolvedValueOnce({ state: 'second-factor', email: 'ann@acme.example', notices: [], second_factor: sf });
    vi.mocked(useKey).mockResolvedValue('{"id":"b3RoZXI"}');
    vi.mocked(core.loginSecurityKey).mockRejectedValue(new CoreError('wrong, used or expired two-factor code', 'wrong-second-factor'));
    show({ state: 'none' }, 'login');
    type('E-mail', 'ann@acme.example');
    type('Master password', 'correct horse battery staple');
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Use your security key' }));
    expect((await screen.findByRole('alert')).textContent).toContain('The security key was refused');
    expect(screen.queryByRole('button', { name: 'Log in' })).toBeNull(); // only the key: no code field, no submit
    fireEvent.click(screen.getByRole('button', { name: 'Use your security key' }));
    await waitFor(() => expect(core.loginSecurityKey).toHaveBeenCalledTimes(2));
    expect(core.login).toHaveBeenCalledTimes(2); // a fresh challenge: the first was used
  });
});
