import { act, render, screen } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError, onStopped } from '../core';
import { App } from './App';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

// catchStop catches the listener App gives onStopped, to stop the core later.
function catchStop() {
  let stop: (error: string) => void = () => undefined;
  vi.mocked(onStopped).mockImplementation((l) => { stop = l; return () => true; });
  return (error: string) => act(() => stop(error));
}

describe('App', () => {
  it('covers everything with the Stopped screen when the core stops', async () => {
    const stop = catchStop();
    vi.mocked(core.status).mockResolvedValue({ state: 'unlocked', email: 'ann@acme.example', notices: [] });
    render(<App />);
    await screen.findByRole('button', { name: 'Lock' });
    stop('exit status 2');
    const stopped = screen.getByRole('alertdialog', { name: 'Coffer stopped — reload' });
    expect(stopped.textContent).toContain('exit status 2');
    expect(screen.getByRole('button', { name: 'Reload' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Lock' })).toBeNull();
    expect(screen.queryByRole('navigation', { name: 'Main' })).toBeNull();
  });

  it('shows the Stopped screen before the core even answered', () => {
    const stop = catchStop();
    render(<App />);
    expect(screen.getByText('Loading Coffer…')).toBeTruthy();
    stop('');
    expect(screen.getByRole('alertdialog', { name: 'Coffer stopped — reload' }).textContent).toContain('no reason given');
  });

  it('shows Unlock when the session is locked', async () => {
    vi.mocked(core.status).mockResolvedValue({ state: 'locked', email: 'ann@acme.example' });
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'Unlock' })).toBeTruthy();
    expect(screen.getByText('ann@acme.example')).toBeTruthy();
    expect(screen.getByLabelText('Master password')).toBeTruthy();
    expect(screen.queryByRole('navigation', { name: 'Main' })).toBeNull();
  });

  it('shows sign-up to a browser with no account', async () => {
    vi.mocked(core.status).mockResolvedValue({ state: 'none' });
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'Create your account' })).toBeTruthy();
  });

  it('shows the app when unlocked', async () => {
    vi.mocked(core.status).mockResolvedValue({ state: 'unlocked', email: 'ann@acme.example', notices: [] });
    history.replaceState(null, '', '/tools/generator');
    render(<App />);
    expect(await screen.findByRole('navigation', { name: 'Main' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Password generator' })).toBeTruthy();
  });

  it("says in words when the core cannot start", async () => {
    vi.mocked(core.status).mockRejectedValue(new CoreError("Go's wasm_exec.js did not run; Coffer did not start.", 'core-refused'));
    render(<App />);
    expect((await screen.findByRole('alert')).textContent).toBe("Go's wasm_exec.js did not run; Coffer did not start.");
  });
});
