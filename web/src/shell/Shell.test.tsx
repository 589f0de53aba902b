import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { core, CoreError, message } from '../core';
import type { WatchEvent } from '../core/types.gen';
import { org, rowsOf, summary, vaultInfo } from '../test/app';
import { Shell, signedOutElsewhere } from './Shell';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const status = { state: 'unlocked', email: 'ann@acme.example', notices: [] };

describe('Shell', () => {
  it('goes to the vault from an open screen, titled by the screen', async () => {
    history.replaceState(null, '', '/login');
    vi.mocked(core.rows).mockResolvedValue(rowsOf([]));
    render(<Shell status={status} onLock={vi.fn()} onLogout={vi.fn()} />);
    await waitFor(() => expect(location.pathname).toBe('/vault'));
    expect(screen.getByRole('heading', { level: 1, name: 'Passwords' })).toBeTruthy();
    expect(await screen.findByRole('heading', { name: 'Your vault is empty' })).toBeTruthy();
    await waitFor(() => expect(document.title).toBe('Passwords · Coffer'));
  });

  it('names the organisation on its pages and keeps it for the navigation', async () => {
    history.replaceState(null, '', '/orgs/o-guild/settings');
    const guild = org({ id: 'o-guild', name: 'Guild', role: 'member' });
    vi.mocked(core.orgs).mockResolvedValue([org(), guild]);
    render(<Shell status={status} onLock={vi.fn()} onLogout={vi.fn()} />);
    expect(await screen.findByRole('heading', { level: 1, name: 'Guild' })).toBeTruthy();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Settings', current: 'page' }).getAttribute('href')).toBe('/orgs/o-guild/settings');
    expect(localStorage.getItem('coffer.org')).toBe('o-guild');
  });

  it('shows the Administrator Portal to an instance administrator only', async () => {
    history.replaceState(null, '', '/admin/users?q=mia');
    vi.mocked(core.adminSearch).mockResolvedValue([]);
    render(<Shell status={{ ...status, instance_admin: true }} onLock={vi.fn()} onLogout={vi.fn()} />);
    expect(screen.getByRole('heading', { level: 1, name: 'Administrator Portal' })).toBeTruthy();
    expect(await screen.findByText(/No account's address or name contains/)).toBeTruthy();
    expect(core.adminSearch).toHaveBeenCalledWith('mia');
    expect(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('link', { name: 'Administrator Portal', current: 'page' })).toBeTruthy();
  });

  it('has no Administrator Portal for anyone else', async () => {
    history.replaceState(null, '', '/admin');
    render(<Shell status={status} onLock={vi.fn()} onLogout={vi.fn()} />);
    expect(await screen.findByRole('heading', { name: 'Nothing here' })).toBeTruthy();
    expect(within(screen.getByRole('navigation', { name: 'Main' })).queryByRole('link', { name: 'Administrator Portal' })).toBeNull();
    expect(core.adminSearch).not.toHaveBeenCalled();
  });

  it('locks', async () => {
    vi.mocked(core.lock).mockResolvedValue({ state: 'locked' });
    const onLock = vi.fn();
    history.replaceState(null, '', '/tools/generator');
    render(<Shell status={status} onLock={onLock} onLogout={vi.fn()} />);
    fireEvent.click(screen.getByRole('button', { name: 'Lock' }));
    await waitFor(() => expect(onLock).toHaveBeenCalled());
    expect(core.lock).toHaveBeenCalled();
  });

  it('shows the vaults the core lists', async () => {
    vi.mocked(core.vaults).mockResolvedValue([vaultInfo({ id: 'v-eng', label: 'Acme/Eng' }), vaultInfo({ id: 'v-my', label: 'My Vault', kind: 'personal' })]);
    history.replaceState(null, '', '/vault');
    render(<Shell status={status} onLock={vi.fn()} onLogout={vi.fn()} />);
    const vaults = await screen.findByRole('navigation', { name: 'Vaults' });
    await waitFor(() => expect(within(vaults).getAllByRole('link').map((l) => l.textContent)).toEqual(['All vaults', 'My Vault', 'Acme/Eng', 'Trash']));
  });

  it('says a stopped live stream, and tampering in its own words', async () => {
    let send: (e: WatchEvent) => void = () => undefined;
    vi.mocked(core.watch).mockImplementation(async (fn) => { send = fn; });
    history.replaceState(null, '', '/tools/generator');
    render(<Shell status={status} onLock={vi.fn()} onLogout={vi.fn()} />);
    await waitFor(() => expect(core.watch).toHaveBeenCalled());
    act(() => send({ kind: 'error', error: 'tampered', text: 'revision 4 of i-9 is not signed' }));
    expect(screen.getByRole('alert').textContent).toBe('Tampering detected: revision 4 of i-9 is not signed');
  });

  it('asks about a restored server the unlock found, and gives back what this device holds', async () => {
    vi.mocked(core.watch).mockResolvedValue(undefined);
    vi.mocked(core.acceptRestore).mockResolvedValue({ accepted: true, text: 'Accepted the restore.', given_back: [{ id: 'i-1', name: 'Bank', vault: 'My Vault', text: 'Given back: “Bank” (My Vault).' }], not_given_back: [] });
    history.replaceState(null, '', '/tools/generator');
    render(<Shell status={{ ...status, restored: 'the server was restored from a backup; this device holds 1 item(s) changed since then that the server lost: "Bank" (My Vault)' }} onLock={vi.fn()} onLogout={vi.fn()} />);
    const dialog = screen.getByRole('alertdialog', { name: 'The server was restored from a backup' });
    expect(within(dialog).getByText(/this device holds 1 item\(s\)/)).toBeTruthy();
    await waitFor(() => expect(core.watch).toHaveBeenCalledTimes(1));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Give back what this device holds' }));
    expect(await screen.findByText('Given back: “Bank” (My Vault).')).toBeTruthy();
    await waitFor(() => expect(core.watch).toHaveBeenCalledTimes(2)); // the live stream starts again
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('asks again when a sync or the live stream finds the restore still not accepted, and not now changes nothing', async () => {
    let send: (e: WatchEvent) => void = () => undefined;
    vi.mocked(core.watch).mockImplementation(async (fn) => { send = fn; });
    history.replaceState(null, '', '/tools/generator');
    render(<Shell status={status} onLock={vi.fn()} onLogout={vi.fn()} />);
    expect(screen.queryByRole('alertdialog')).toBeNull();
    await waitFor(() => expect(core.watch).toHaveBeenCalled());
    act(() => send({ kind: 'error', error: 'server-restored', text: 'the server was restored from a backup; this device holds nothing that the server lost' }));
    const dialog = screen.getByRole('alertdialog', { name: 'The server was restored from a backup' });
    expect(within(dialog).getByText('The server was restored from a backup; this device holds nothing that the server lost.')).toBeTruthy();
    expect(screen.queryByText(/^Live updates stopped/)).toBeNull();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Not now' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(core.acceptRestore).not.toHaveBeenCalled();
    // A call that fails with the kind later (a sync, a save) asks again.
    act(() => { message(new CoreError('the server was restored from a backup (again)', 'server-restored')); });
    expect(within(screen.getByRole('alertdialog')).getByText('The server was restored from a backup (again).')).toBeTruthy();
  });

  it('locks when the server ends the stream because this device was signed out', async () => {
    let send: (e: WatchEvent) => void = () => undefined;
    vi.mocked(core.watch).mockImplementation(async (fn) => { send = fn; });
    vi.mocked(core.lock).mockResolvedValue({ state: 'locked' });
    const onLock = vi.fn();
    history.replaceState(null, '', '/tools/generator');
    render(<Shell status={status} onLock={onLock} onLogout={vi.fn()} />);
    await waitFor(() => expect(core.watch).toHaveBeenCalled());
    act(() => send({ kind: 'error', error: 'unauthorized', text: 'session revoked; log in again' }));
    await waitFor(() => expect(onLock).toHaveBeenCalledWith(signedOutElsewhere));
    expect(core.lock).toHaveBeenCalled();
  });

  it('reads the screen anew at a live change', async () => {
    let send: (e: WatchEvent) => void = () => undefined;
    vi.mocked(core.watch).mockImplementation(async (fn) => { send = fn; });
    vi.mocked(core.rows).mockResolvedValue(rowsOf([]));
    history.replaceState(null, '', '/vault');
    render(<Shell status={status} onLock={vi.fn()} onLogout={vi.fn()} />);
    await waitFor(() => expect(core.rows).toHaveBeenCalledTimes(1));
    vi.mocked(core.rows).mockResolvedValue(rowsOf([summary({ id: 'i-1', name: 'From the CLI' })], 2));
    act(() => send({ seq: 7, kind: 'item', item_id: 'i-1', text: 'ann created From the CLI' }));
    expect(await screen.findByRole('link', { name: /^From the CLI/ })).toBeTruthy();
  });

  describe('with a clock', () => {
    afterEach(() => { vi.useRealTimers(); });

    it('locks after the idle time chosen, but not while a dialog is open', async () => {
      vi.useFakeTimers();
      localStorage.setItem('coffer.idleMinutes', '1');
      vi.mocked(core.lock).mockResolvedValue({ state: 'locked' });
      const onLock = vi.fn();
      history.replaceState(null, '', '/tools/generator');
      render(<Shell status={status} onLock={onLock} onLogout={vi.fn()} />);
      const dialog = document.createElement('dialog');
      dialog.setAttribute('open', '');
      document.body.append(dialog);
      await act(async () => { vi.advanceTimersByTime(90_000); });
      expect(core.lock).not.toHaveBeenCalled();
      dialog.remove();
      fireEvent.keyDown(window, { key: 'a' }); // someone is here: the minute starts again
      await act(async () => { vi.advanceTimersByTime(59_000); });
      expect(core.lock).not.toHaveBeenCalled();
      await act(async () => { vi.advanceTimersByTime(1_000); });
      expect(core.lock).toHaveBeenCalled();
      await act(async () => { await Promise.resolve(); });
      expect(onLock).toHaveBeenCalled();
    });

    it('says the server is gone, retries every 2 seconds, and shows the data anew when it is back', async () => {
      vi.useFakeTimers();
      vi.mocked(core.sync).mockRejectedValueOnce(new TypeError('fetch failed')).mockResolvedValue({ ok: true });
      vi.mocked(core.rows).mockResolvedValue(rowsOf([]));
      history.replaceState(null, '', '/vault');
      render(<Shell status={status} onLock={vi.fn()} onLogout={vi.fn()} />);
      await act(async () => { await Promise.resolve(); });
      const before = vi.mocked(core.rows).mock.calls.length;
      act(() => { window.dispatchEvent(new Event('coffer-offline')); });
      expect(screen.getByText('The server cannot be reached; retrying every 2 seconds. Nothing is lost.')).toBeTruthy();
      await act(async () => { vi.advanceTimersByTime(2_000); });
      expect(core.sync).toHaveBeenCalledTimes(1);
      expect(screen.getByText(/^The server cannot be reached/)).toBeTruthy();
      await act(async () => { vi.advanceTimersByTime(2_000); });
      await act(async () => { await Promise.resolve(); });
      expect(core.sync).toHaveBeenCalledTimes(2);
      expect(screen.queryByText(/^The server cannot be reached/)).toBeNull();
      expect(vi.mocked(core.rows).mock.calls.length).toBeGreaterThan(before);
    });
  });
});
