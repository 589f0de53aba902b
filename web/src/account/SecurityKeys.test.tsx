import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError } from '../core';
import { createKey } from '../webauthn';
import { SecurityKeys } from './SecurityKeys';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));
vi.mock('../webauthn', () => ({ useKey: vi.fn(), createKey: vi.fn() }));

const type = (label: string, value: string) => fireEvent.input(screen.getByLabelText(label), { target: { value } });
const key = { id: 'k1', name: 'YubiKey 5', created_at: '2026-03-01T10:00:00Z', last_used_at: '0001-01-01T00:00:00Z' };

describe('SecurityKeys', () => {
  it('adds a key: the password, the options to the browser as they are, its answer and the name to the core, then the recovery codes once', async () => {
    vi.mocked(core.twoFactorStatus).mockResolvedValueOnce({ enabled: false, pending: false, recovery_codes_left: 0, security_keys: [] })
      .mockResolvedValue({ enabled: false, pending: false, recovery_codes_left: 10, security_keys: [key] });
    const options = { publicKey: { challenge: 'Y2hhbGxlbmdlLWNoYWxsZW5nZQ', rp: { id: 'localhost', name: 'Coffer' } } };
    vi.mocked(core.securityKeyBegin).mockResolvedValue({ options });
    vi.mocked(createKey).mockResolvedValue('{"id":"a2V5"}');
    vi.mocked(core.securityKeyFinish).mockResolvedValue({ key, recovery_codes: ['aaaa-bbbb-cccc-dddd'] });
    render(<SecurityKeys />);
    await screen.findByText('No security keys yet.');
    type('Name of the key', 'YubiKey 5');
    type('Master password', 'correct horse battery staple');
    fireEvent.click(screen.getByRole('button', { name: 'Add a security key' }));
    expect(await screen.findByText('aaaa-bbbb-cccc-dddd')).toBeTruthy();
    expect(core.securityKeyBegin).toHaveBeenCalledWith('correct horse battery staple');
    expect(createKey).toHaveBeenCalledWith(options);
    expect(core.securityKeyFinish).toHaveBeenCalledWith('YubiKey 5', '{"id":"a2V5"}');
    fireEvent.click(screen.getByRole('button', { name: 'I have saved them' }));
    const list = await screen.findByRole('list', { name: 'Security keys' });
    expect(within(list).getByText('YubiKey 5')).toBeTruthy();
    expect(within(list).getByText(/never used/)).toBeTruthy();
    expect(screen.queryByText('aaaa-bbbb-cccc-dddd')).toBeNull(); // shown once
  });

  it('says a browser that gave no key, and a wrong password', async () => {
    vi.mocked(core.twoFactorStatus).mockResolvedValue({ enabled: false, pending: false, recovery_codes_left: 0, security_keys: [] });
    vi.mocked(core.securityKeyBegin).mockRejectedValueOnce(new CoreError('wrong password', 'wrong-password')).mockResolvedValue({ options: { publicKey: {} } });
    vi.mocked(createKey).mockRejectedValue(new Error('The security key did not answer: cancelled, timed out, or not a key registered for this account.'));
    render(<SecurityKeys />);
    await screen.findByText('No security keys yet.');
    type('Name of the key', 'Key');
    type('Master password', 'nope');
    fireEvent.click(screen.getByRole('button', { name: 'Add a security key' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Wrong master password.');
    type('Master password', 'correct horse battery staple');
    fireEvent.click(screen.getByRole('button', { name: 'Add a security key' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('did not answer'));
    expect(core.securityKeyFinish).not.toHaveBeenCalled();
  });

  it('removes a key after a confirm dialog that asks for the master password', async () => {
    vi.mocked(core.twoFactorStatus).mockResolvedValueOnce({ enabled: false, pending: false, recovery_codes_left: 10, security_keys: [{ ...key, last_used_at: '2026-03-02T10:00:00Z' }] })
      .mockResolvedValue({ enabled: false, pending: false, recovery_codes_left: 0, security_keys: [] });
    vi.mocked(core.securityKeyRemove).mockRejectedValueOnce(new CoreError('wrong password', 'wrong-password')).mockResolvedValue({ ok: true });
    render(<SecurityKeys />);
    expect(await screen.findByText(/last used/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Remove YubiKey 5' }));
    const dialog = await screen.findByRole('alertdialog');
    expect(within(dialog).getByText(/no longer log in/)).toBeTruthy();
    fireEvent.input(within(dialog).getByLabelText('Master password'), { target: { value: 'nope' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove the key' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('Wrong master password.');
    fireEvent.input(within(dialog).getByLabelText('Master password'), { target: { value: 'correct horse battery staple' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove the key' }));
    expect(await screen.findByText('Security key “YubiKey 5” removed.')).toBeTruthy();
    expect(core.securityKeyRemove).toHaveBeenLastCalledWith('correct horse battery staple', 'k1');
    expect(await screen.findByText('No security keys yet.')).toBeTruthy();
  });
});
