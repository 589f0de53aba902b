import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { core, CoreError } from '../core';
import { SSOFinish } from './SSOFinish';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const type = (label: string, value: string) => fireEvent.input(screen.getByLabelText(label), { target: { value } });

function back(hash: string) {
  history.replaceState(null, '', `/sso${hash}`);
  const onDone = vi.fn();
  render(<SSOFinish onDone={onDone} />);
  return { onDone };
}

describe('SSOFinish', () => {
  beforeEach(() => vi.clearAllMocks());

  it('takes the ticket out of the address and logs in with the master password', async () => {
    vi.mocked(core.ssoTicket).mockResolvedValue({ email: 'ann@acme.example', provider: 'Acme ID', account: true, signup_allowed: false });
    vi.mocked(core.ssoLogin).mockResolvedValue({ state: 'unlocked', email: 'ann@acme.example', notices: [] });
    const { onDone } = back('#ticket=cst1_abc');
    expect(location.hash).toBe('');
    expect(location.pathname).toBe('/sso');
    await screen.findByRole('heading', { name: 'Unlock with your master password' });
    expect(core.ssoTicket).toHaveBeenCalledWith('cst1_abc');
    expect(screen.getByText(/Acme ID never sees it/)).toBeTruthy();
    type('Master password', 'correct horse battery staple');
    fireEvent.click(screen.getByRole('button', { name: 'Unlock' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith(expect.objectContaining({ state: 'unlocked' })));
    expect(core.ssoLogin).toHaveBeenCalledWith('cst1_abc', 'ann@acme.example', 'correct horse battery staple', '');
  });

  it('asks for the two-factor code when the account has one', async () => {
    vi.mocked(core.ssoTicket).mockResolvedValue({ email: 'ann@acme.example', provider: 'Acme ID', account: true, signup_allowed: false });
    vi.mocked(core.ssoLogin).mockResolvedValueOnce({ state: 'second-factor', email: 'ann@acme.example', notices: [], second_factor: { methods: ['totp', 'recovery_code'] } });
    back('#ticket=cst1_abc');
    await screen.findByRole('heading', { name: 'Unlock with your master password' });
    type('Master password', 'correct horse battery staple');
    fireEvent.click(screen.getByRole('button', { name: 'Unlock' }));
    await screen.findByLabelText('Two-factor code (or a recovery code)');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('creates the account of a first sign-in with a master password chosen twice', async () => {
    vi.mocked(core.ssoTicket).mockResolvedValue({ email: 'bo@acme.example', name: 'Bo Berg', provider: 'Acme ID', account: false, signup_allowed: true });
    vi.mocked(core.ssoSignup).mockResolvedValue({ state: 'unlocked', email: 'bo@acme.example', notices: [] });
    const { onDone } = back('#ticket=cst1_new');
    await screen.findByRole('heading', { name: 'Choose your master password' });
    expect((screen.getByLabelText('Your name') as HTMLInputElement).value).toBe('Bo Berg');
    type('Master password', 'a long new master password');
    type('Master password again', 'a long new master passw0rd');
    fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(screen.getByText('The two passwords differ.')).toBeTruthy();
    expect(core.ssoSignup).not.toHaveBeenCalled();
    type('Master password again', 'a long new master password');
    fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(core.ssoSignup).toHaveBeenCalledWith('cst1_new', 'bo@acme.example', 'Bo Berg', 'a long new master password');
  });

  it('says why no account is made when the policy refuses', async () => {
    vi.mocked(core.ssoTicket).mockResolvedValue({ email: 'x@else.example', provider: 'Acme ID', account: false, signup_allowed: false, signup_refused: 'ask an organisation owner to invite you' });
    back('#ticket=cst1_x');
    await screen.findByRole('heading', { name: 'No account for x@else.example' });
    expect(screen.getByText(/ask an organisation owner to invite you/)).toBeTruthy();
    expect(screen.queryByLabelText('Master password')).toBeNull();
  });

  it('shows the server\'s words when the sign-in failed, and offers to try again', async () => {
    vi.mocked(core.ssoStart).mockResolvedValue({ url: 'about:blank' });
    vi.mocked(core.ssoError).mockResolvedValue({ text: 'Your company\'s sign-in does not say that your e-mail address is verified.' });
    back('#error=unverified_email');
    expect(await screen.findByRole('heading', { name: 'Sign-in not finished' })).toBeTruthy();
    expect(await screen.findByText(/is verified/)).toBeTruthy();
    expect(core.ssoError).toHaveBeenCalledWith('unverified_email');
    expect(core.ssoTicket).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Sign in again' })).toBeTruthy();
  });

  it('a used or stolen ticket is an error in words', async () => {
    vi.mocked(core.ssoTicket).mockRejectedValue(new CoreError('this single sign-on expired or was used already', 'sso-ticket'));
    back('#ticket=cst1_old');
    await screen.findByText(/expired or was used already/);
    expect(screen.getByRole('heading', { name: 'Sign-in not finished' })).toBeTruthy();
  });
});
