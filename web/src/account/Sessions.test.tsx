import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, type SessionInfo } from '../core';
import { Sessions } from './Sessions';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const future = new Date(Date.now() + 86_400_000).toISOString();
const past = new Date(Date.now() - 86_400_000).toISOString();
const session = (s: Partial<SessionInfo> & { id: string }): SessionInfo => ({
  current: false, created_at: '2025-01-02T03:04:05Z', last_used_at: '2025-01-02T03:04:05Z', expires_at: future, revoked: false, client_addr: '203.0.113.7', description: 'Firefox on Linux', ...s,
});

describe('Sessions', () => {
  it('lists the live sessions, each but this one with Sign out', async () => {
    vi.mocked(core.sessions).mockResolvedValue([
      session({ id: 's1', current: true, description: 'Chrome on Mac' }),
      session({ id: 's2' }),
      session({ id: 's3', description: '', client_addr: '198.51.100.2' }),
      session({ id: 's4', description: 'Revoked one', revoked: true }),
      session({ id: 's5', description: 'Expired one', expires_at: past }),
    ]);
    render(<Sessions />);
    const heading = await screen.findByRole('heading', { name: 'Sessions' });
    const list = await within(heading.parentElement!).findByRole('list');
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(3);
    expect(items[0].textContent).toContain('(this one)');
    expect(within(items[0]).queryByRole('button')).toBeNull();
    expect(within(items[1]).getByRole('button', { name: 'Sign out Firefox on Linux (203.0.113.7)' })).toBeTruthy();
    expect(within(items[2]).getByRole('button', { name: 'Sign out unnamed device (198.51.100.2)' })).toBeTruthy();
    expect(screen.queryByText(/Revoked one|Expired one/)).toBeNull();
  });

  it('signs a session out and reads them anew', async () => {
    vi.mocked(core.sessions).mockResolvedValueOnce([session({ id: 's2' })]).mockResolvedValueOnce([]);
    vi.mocked(core.endSession).mockResolvedValue({ ok: true });
    render(<Sessions />);
    fireEvent.click(await screen.findByRole('button', { name: 'Sign out Firefox on Linux (203.0.113.7)' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: /^Sign out/ })).toBeNull());
    expect(core.endSession).toHaveBeenCalledWith('s2');
    expect(core.sessions).toHaveBeenCalledTimes(2);
  });
});
