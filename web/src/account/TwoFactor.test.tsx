import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError } from '../core';
import { org } from '../test/app';
import { TwoFactor } from './TwoFactor';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const type = (label: string, value: string) => fireEvent.input(screen.getByLabelText(label), { target: { value } });

describe('TwoFactor', () => {
  it('enrols: the password, the QR code drawn as SVG with the secret, the code, then the recovery codes once', async () => {
    vi.mocked(core.twoFactorStatus).mockResolvedValueOnce({ enabled: false, pending: false, recovery_codes_left: 0, security_keys: [] })
      .mockResolvedValue({ enabled: true, pending: false, recovery_codes_left: 10, security_keys: [] });
    vi.mocked(core.twoFactorStart).mockResolvedValue({ secret: 'NYHBEATC', uri: 'otpauth://totp/Coffer:ann', qr: ['101', '010', '101'] });
    vi.mocked(core.twoFactorConfirm).mockResolvedValue({ recovery_codes: ['aaaa-bbbb-cccc-dddd', 'eeee-ffff-gggg-hhhh'] });
    render(<TwoFactor />);
    await screen.findByLabelText('Master password');
    type('Master password', 'correct horse battery staple');
    fireEvent.click(screen.getByRole('button', { name: 'Set up two-factor log-in' }));
    const qr = await screen.findByRole('img', { name: 'QR code for your authenticator app' });
    expect(qr.querySelectorAll('g rect').length).toBe(5);
    expect(screen.getByText('NYHBEATC')).toBeTruthy();
    expect(core.twoFactorStart).toHaveBeenCalledWith('correct horse battery staple');
    type('Code from the app', '123456');
    fireEvent.click(screen.getByRole('button', { name: 'Turn on two-factor log-in' }));
    expect(await screen.findByText('aaaa-bbbb-cccc-dddd')).toBeTruthy();
    expect(core.twoFactorConfirm).toHaveBeenCalledWith('123456');
    fireEvent.click(screen.getByRole('button', { name: 'I have saved them' }));
    expect(await screen.findByText('Two-factor log-in is on; 10 recovery codes left.')).toBeTruthy();
    expect(screen.queryByText('aaaa-bbbb-cccc-dddd')).toBeNull(); // shown once
  });

  it('turns it off with the password and a code, and says a wrong code', async () => {
    vi.mocked(core.twoFactorStatus).mockResolvedValueOnce({ enabled: true, pending: false, recovery_codes_left: 9, security_keys: [] })
      .mockResolvedValue({ enabled: false, pending: false, recovery_codes_left: 0, security_keys: [] });
    vi.mocked(core.twoFactorDisable).mockRejectedValueOnce(new CoreError('wrong, used or expired two-factor code', 'wrong-second-factor')).mockResolvedValue({ ok: true });
    render(<TwoFactor />);
    await screen.findByText('Two-factor log-in is on; 9 recovery codes left.');
    type('Master password', 'correct horse battery staple');
    type('Code from the app (or a recovery code)', '000000');
    fireEvent.click(screen.getByRole('button', { name: 'Turn off two-factor log-in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('wrong, used or expired two-factor code');
    type('Code from the app (or a recovery code)', '123456');
    fireEvent.click(screen.getByRole('button', { name: 'Turn off two-factor log-in' }));
    await waitFor(() => expect(core.twoFactorDisable).toHaveBeenLastCalledWith('correct horse battery staple', '123456'));
    expect(await screen.findByText('Two-factor log-in is off; the recovery codes are void.')).toBeTruthy();
  });

  it('gives new recovery codes for the master password alone, once', async () => {
    vi.mocked(core.twoFactorStatus).mockResolvedValueOnce({ enabled: true, pending: false, recovery_codes_left: 2, security_keys: [] })
      .mockResolvedValue({ enabled: true, pending: false, recovery_codes_left: 10, security_keys: [] });
    vi.mocked(core.orgs).mockResolvedValue([]);
    vi.mocked(core.twoFactorRecoveryCodes).mockResolvedValue({ recovery_codes: ['wxyz-wxyz-wxyz-wxyz'] });
    render(<TwoFactor />);
    await screen.findByText('Two-factor log-in is on; 2 recovery codes left.');
    const again = screen.getByRole('button', { name: 'New recovery codes' }) as HTMLButtonElement;
    expect(again.disabled).toBe(true); // the master password first
    type('Master password', 'correct horse battery staple');
    fireEvent.click(again);
    const list = await screen.findByRole('list', { name: 'Recovery codes' });
    expect(list.textContent).toContain('wxyz-wxyz-wxyz-wxyz');
    expect(core.twoFactorRecoveryCodes).toHaveBeenCalledWith('correct horse battery staple');
    fireEvent.click(screen.getByRole('button', { name: 'I have saved them' }));
    expect(await screen.findByText('Two-factor log-in is on; 10 recovery codes left.')).toBeTruthy();
  });

  it('says two-factor log-in is on when security keys alone make it so, and offers an app and new codes', async () => {
    vi.mocked(core.twoFactorStatus).mockResolvedValue({ enabled: false, pending: false, recovery_codes_left: 7, security_keys: [{ id: 'k1', name: 'YubiKey', created_at: '2026-01-01T00:00:00Z' }] } as never);
    vi.mocked(core.orgs).mockResolvedValue([]);
    render(<TwoFactor />);
    expect(await screen.findByText('Two-factor log-in is on with your security key; 7 recovery codes left. An authenticator app can be another way in.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Set up an authenticator app' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'New recovery codes' })).toBeTruthy();
  });

  it('says which organisations hold it on, and the refusal as a sentence', async () => {
    vi.mocked(core.twoFactorStatus).mockResolvedValue({ enabled: true, pending: false, recovery_codes_left: 10, security_keys: [] });
    vi.mocked(core.orgs).mockResolvedValue([
      org({ id: 'o-acme', name: 'Acme', role: 'member', require_two_factor: true }),
      org({ id: 'o-mine', name: 'Mine', role: 'owner', require_two_factor: true }),
      org({ id: 'o-free', name: 'Free', role: 'member', require_two_factor: false }),
    ]);
    vi.mocked(core.twoFactorDisable).mockRejectedValue(new CoreError('an organisation you belong to requires two-factor log-in, so it stays on: leave that organisation, or ask its owner to stop requiring it, first', 'two-factor-required'));
    render(<TwoFactor />);
    expect(await screen.findByText(/^Acme requires two-factor log-in, so yours stays on while you belong to it: leave Acme, or ask its owner/)).toBeTruthy();
    expect(screen.getByText(/^Mine requires two-factor log-in, of you too: stop requiring it in Mine's Settings/)).toBeTruthy();
    expect(screen.queryByText(/^Free/)).toBeNull();
    type('Master password', 'correct horse battery staple');
    type('Code from the app (or a recovery code)', '123456');
    fireEvent.click(screen.getByRole('button', { name: 'Turn off two-factor log-in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('An organisation you belong to requires two-factor log-in, so it stays on: leave that organisation, or ask its owner to stop requiring it, first.');
  });
});
