import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core } from '../core';
import { Profile } from './Profile';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

describe('Profile', () => {
  it('shows the account and its fingerprint', async () => {
    vi.mocked(core.account).mockResolvedValue({ email: 'ann@acme.example', name: 'Ann', fingerprint: 'A1B2 C3D4', kdf: { time: 3, memory_kib: 65536, threads: 4 } });
    render(<Profile onLogout={vi.fn()} />);
    expect(await screen.findByText('A1B2 C3D4')).toBeTruthy();
    expect(screen.getByText('t=3, 64 MiB, p=4')).toBeTruthy();
  });

  it('says what the account may export, in the core’s words', async () => {
    vi.mocked(core.account).mockResolvedValue({ email: 'ann@acme.example', name: 'Ann', fingerprint: 'A1B2 C3D4', kdf: { time: 3, memory_kib: 65536, threads: 4 } });
    vi.mocked(core.exportPolicy).mockResolvedValue({ my_vault_only: false, restricted_orgs: [], may_export: 'everything you can read' });
    render(<Profile onLogout={vi.fn()} />);
    expect(await screen.findByText('everything you can read')).toBeTruthy();
    expect(screen.getByText('May export')).toBeTruthy();
    expect(document.querySelector('.export-note')).toBeNull();
  });

  it('says an administrator’s restriction', async () => {
    vi.mocked(core.account).mockResolvedValue({ email: 'ann@acme.example', name: 'Ann', fingerprint: 'A1B2 C3D4', kdf: { time: 3, memory_kib: 65536, threads: 4 } });
    vi.mocked(core.exportPolicy).mockResolvedValue({ my_vault_only: true, restricted_orgs: [], may_export: 'My Vault only', note: 'Your administrator allows exporting My Vault only.' });
    render(<Profile onLogout={vi.fn()} />);
    expect(await screen.findByText('Your administrator allows exporting My Vault only.')).toBeTruthy();
    expect(screen.getByText('My Vault only')).toBeTruthy();
  });

  it('keeps the idle lock chosen in this browser', () => {
    render(<Profile onLogout={vi.fn()} />);
    const idle = screen.getByRole('combobox', { name: 'Lock this tab after' }) as HTMLSelectElement;
    expect(idle.value).toBe('15');
    fireEvent.change(idle, { target: { value: '0' } });
    expect(localStorage.getItem('coffer.idleMinutes')).toBe('0');
    expect(idle.value).toBe('0');
  });

  it('logs out', async () => {
    vi.mocked(core.logout).mockResolvedValue({ state: 'none' });
    const onLogout = vi.fn();
    render(<Profile onLogout={onLogout} />);
    fireEvent.click(screen.getByRole('button', { name: 'Log out of this browser' }));
    await waitFor(() => expect(onLogout).toHaveBeenCalled());
    expect(core.logout).toHaveBeenCalled();
  });
});
