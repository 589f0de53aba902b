import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError } from '../core';
import { Security } from './Security';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const type = (label: string, value: string) => fireEvent.input(screen.getByLabelText(label), { target: { value } });

describe('Security', () => {
  it('says next to the field that the new passwords differ, and changes nothing', () => {
    render(<Security />);
    type('Current master password', 'old one is here');
    type('New master password', 'correct horse battery staple');
    type('New master password again', 'correct horse battery stapel');
    fireEvent.click(screen.getByRole('button', { name: 'Change the master password' }));
    const again = screen.getByLabelText('New master password again');
    expect(again.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(again.getAttribute('aria-describedby')!)!.textContent).toBe('The two new passwords differ.');
    expect(core.password).not.toHaveBeenCalled();
  });

  it('changes the password, signing out the other sessions unless told not to', async () => {
    vi.mocked(core.password).mockResolvedValue({ revoked_sessions: 2 });
    render(<Security />);
    type('Current master password', 'old one is here');
    type('New master password', 'correct horse battery staple');
    type('New master password again', 'correct horse battery staple');
    expect((screen.getByRole('checkbox', { name: 'Sign out every other session' }) as HTMLInputElement).checked).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Change the master password' }));
    expect((await screen.findByRole('status')).textContent).toBe('Master password changed. 2 other session(s) were signed out. Every device unlocks with the new one from now on.');
    expect(core.password).toHaveBeenCalledWith('old one is here', 'correct horse battery staple', true);
    expect((screen.getByLabelText('Current master password') as HTMLInputElement).value).toBe('');
  });

  it('keeps the other sessions when asked', async () => {
    vi.mocked(core.password).mockResolvedValue({ revoked_sessions: 0 });
    render(<Security />);
    type('Current master password', 'old one is here');
    type('New master password', 'correct horse battery staple');
    type('New master password again', 'correct horse battery staple');
    fireEvent.click(screen.getByRole('checkbox', { name: 'Sign out every other session' }));
    fireEvent.click(screen.getByRole('button', { name: 'Change the master password' }));
    await waitFor(() => expect(core.password).toHaveBeenCalledWith('old one is here', 'correct horse battery staple', false));
  });

  it('says a wrong current password in words', async () => {
    vi.mocked(core.password).mockRejectedValue(new CoreError('bad', 'wrong-password'));
    render(<Security />);
    type('Current master password', 'not it');
    type('New master password', 'correct horse battery staple');
    type('New master password again', 'correct horse battery staple');
    fireEvent.click(screen.getByRole('button', { name: 'Change the master password' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong master password.');
  });

  it('shows the key derivation form once the account is read', async () => {
    vi.mocked(core.account).mockResolvedValue({ email: 'ann@acme.example', name: 'Ann', fingerprint: 'F', kdf: { time: 3, memory_kib: 65536, threads: 4 } });
    render(<Security />);
    expect(await screen.findByRole('heading', { name: 'Make the master password harder to guess' })).toBeTruthy();
  });
});
