import { act, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { core } from '../core';
import { renderInApp } from '../test/app';
import { Totp } from './Totp';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

describe('Totp', () => {
  afterEach(() => { vi.useRealTimers(); });

  it('counts down and asks the core for the next code when this one runs out', async () => {
    vi.useFakeTimers();
    vi.mocked(core.totp).mockResolvedValueOnce({ code: '111111', seconds_left: 2 }).mockResolvedValue({ code: '222222', seconds_left: 30 });
    renderInApp(<Totp id="i-1" />);
    await act(async () => { await Promise.resolve(); });
    expect(screen.getByText('111111')).toBeTruthy();
    expect(screen.getByRole('timer', { name: '2 seconds left' })).toBeTruthy();
    await act(async () => { vi.advanceTimersByTime(1000); });
    expect(screen.getByRole('timer', { name: '1 seconds left' })).toBeTruthy();
    await act(async () => { vi.advanceTimersByTime(1000); });
    await act(async () => { await Promise.resolve(); });
    expect(screen.getByText('222222')).toBeTruthy();
    expect(core.totp).toHaveBeenCalledTimes(2);
    expect(core.totp).toHaveBeenCalledWith('i-1');
  });

  it('asks anew at a change of the item', async () => {
    vi.mocked(core.totp).mockResolvedValueOnce({ code: '111111', seconds_left: 30 }).mockResolvedValue({ code: '333333', seconds_left: 30 });
    const { rerenderInApp } = renderInApp(<Totp id="i-1" />);
    expect(await screen.findByText('111111')).toBeTruthy();
    rerenderInApp(<Totp id="i-1" />, { tick: 1 });
    expect(await screen.findByText('333333')).toBeTruthy();
  });

  it('shows nothing when there is no code', async () => {
    vi.mocked(core.totp).mockRejectedValue(new Error('no totp'));
    const { container } = renderInApp(<Totp id="i-1" />);
    await act(async () => { await Promise.resolve(); });
    expect(container.textContent).toBe('');
  });
});
