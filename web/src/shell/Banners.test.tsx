import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError, type Notice } from '../core';
import { Banners } from './Banners';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const notice: Notice = {
  id: 'n1', kind: 'recovery', org_id: 'o-acme', org: 'Acme', approver: 'ann@acme.example', approved_at: '', at: '', from: '', seen: false,
  title: 'Your account was recovered', text: 'ann@acme.example approved a new master password for you.', advice: 'If this was not you, tell ann@acme.example.',
};

describe('Banners', () => {
  it('shows a notice in the core’s words until it is read', async () => {
    vi.mocked(core.ackNotice).mockResolvedValue({ ok: true });
    const onRead = vi.fn();
    render(<Banners notices={[notice]} onRead={onRead} quarantined={[]} offline={false} live="" />);
    const banner = screen.getByRole('alert', { name: 'Your account was recovered' });
    expect(within(banner).getByText('If this was not you, tell ann@acme.example.')).toBeTruthy();
    fireEvent.click(within(banner).getByRole('button', { name: 'I have read this' }));
    await waitFor(() => expect(onRead).toHaveBeenCalledWith('n1'));
    expect(core.ackNotice).toHaveBeenCalledWith('n1');
  });

  it('keeps a notice whose acknowledgement failed, saying why', async () => {
    vi.mocked(core.ackNotice).mockRejectedValue(new CoreError('x', 'unauthorized'));
    const onRead = vi.fn();
    render(<Banners notices={[notice]} onRead={onRead} quarantined={[]} offline={false} live="" />);
    fireEvent.click(screen.getByRole('button', { name: 'I have read this' }));
    expect(await screen.findByText('Your session with the server ended; unlock again.')).toBeTruthy();
    expect(onRead).not.toHaveBeenCalled();
  });

  it('says tampering, a stopped live stream and a lost server', () => {
    render(<Banners notices={[]} onRead={vi.fn()} quarantined={['item i-9 (Acme/Eng)']} offline live="Live updates stopped: the server closed the stream" />);
    expect(screen.getAllByRole('alert').map((a) => a.textContent)).toEqual(['Live updates stopped: the server closed the stream', 'Tampering detected — not shown: item i-9 (Acme/Eng)']);
    expect(screen.getByRole('status').textContent).toBe('The server cannot be reached; retrying every 2 seconds. Nothing is lost.');
  });

  it('shows nothing when all is well', () => {
    const { container } = render(<Banners notices={[]} onRead={vi.fn()} quarantined={[]} offline={false} live="" />);
    expect(container.textContent).toBe('');
  });
});
