import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, type Device } from '../core';
import { Devices } from './Devices';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const future = new Date(Date.now() + 86_400_000).toISOString();
const device = (d: Partial<Device> & { id: string }): Device => ({
  name: 'Firefox on Linux', current: false, created_at: '2025-01-02T03:04:05Z', last_used_at: '2025-01-03T03:04:05Z', client_addr: '203.0.113.7', expires_at: future, ...d,
});

describe('Devices', () => {
  it('lists the devices as the core names them, this one marked and without Sign out', async () => {
    vi.mocked(core.devices).mockResolvedValue([
      device({ id: 'd1', current: true, name: 'Chrome on macOS' }),
      device({ id: 'd2' }),
      device({ id: 'd3', name: 'coffer CLI on build (Linux)', client_addr: '198.51.100.2' }),
    ]);
    render(<Devices />);
    const heading = await screen.findByRole('heading', { name: 'Devices' });
    const list = await within(heading.parentElement!).findByRole('list');
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(3);
    expect(items[0].textContent).toContain('Chrome on macOS');
    expect(items[0].textContent).toContain('this device');
    expect(within(items[0]).queryByRole('button')).toBeNull();
    expect(items[1].textContent).toContain('from 203.0.113.7');
    expect(items[1].textContent).not.toContain('this device');
    expect(within(items[1]).getByRole('button', { name: 'Sign out Firefox on Linux (203.0.113.7)' })).toBeTruthy();
    expect(within(items[2]).getByRole('button', { name: 'Sign out coffer CLI on build (Linux) (198.51.100.2)' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Sign out all other devices' })).toBeTruthy();
  });

  it('asks before signing a device out, then reads the list anew', async () => {
    vi.mocked(core.devices).mockResolvedValueOnce([device({ id: 'd1', current: true, name: 'Chrome on macOS' }), device({ id: 'd2' })])
      .mockResolvedValueOnce([device({ id: 'd1', current: true, name: 'Chrome on macOS' })]);
    vi.mocked(core.endSession).mockResolvedValue({ ok: true });
    render(<Devices />);
    fireEvent.click(await screen.findByRole('button', { name: 'Sign out Firefox on Linux (203.0.113.7)' }));
    const dialog = screen.getByRole('alertdialog');
    expect(core.endSession).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Sign out Firefox on Linux' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Firefox on Linux signed out.'));
    expect(core.endSession).toHaveBeenCalledWith('d2');
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(core.devices).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole('button', { name: 'Sign out all other devices' })).toBeNull();
  });

  it('cancelling signs nothing out', async () => {
    vi.mocked(core.devices).mockResolvedValue([device({ id: 'd2' })]);
    render(<Devices />);
    fireEvent.click(await screen.findByRole('button', { name: 'Sign out Firefox on Linux (203.0.113.7)' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(core.endSession).not.toHaveBeenCalled();
  });

  it('signs out all other devices, saying how many', async () => {
    vi.mocked(core.devices).mockResolvedValueOnce([device({ id: 'd1', current: true }), device({ id: 'd2' }), device({ id: 'd3' })])
      .mockResolvedValueOnce([device({ id: 'd1', current: true })]);
    vi.mocked(core.signOutOthers).mockResolvedValue({ revoked_sessions: 2 });
    render(<Devices />);
    fireEvent.click(await screen.findByRole('button', { name: 'Sign out all other devices' }));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain('2 other device(s)');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Sign out all other devices' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('2 other device(s) signed out.'));
    expect(core.signOutOthers).toHaveBeenCalledTimes(1);
  });

  it('says a refusal in the dialog', async () => {
    vi.mocked(core.devices).mockResolvedValue([device({ id: 'd2' })]);
    vi.mocked(core.endSession).mockRejectedValue(new Error('the server is unreachable'));
    render(<Devices />);
    fireEvent.click(await screen.findByRole('button', { name: 'Sign out Firefox on Linux (203.0.113.7)' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Sign out Firefox on Linux' }));
    await waitFor(() => expect(within(screen.getByRole('alertdialog')).getByText(/unreachable/)).toBeTruthy());
  });
});
