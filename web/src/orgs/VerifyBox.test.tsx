import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError } from '../core';
import { VerifyBox } from './VerifyBox';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

describe('VerifyBox', () => {
  it('sends a code, then proves the address with it', async () => {
    vi.mocked(core.requestVerification).mockResolvedValue({ ok: true });
    vi.mocked(core.verifyEmail).mockResolvedValue({ ok: true });
    const onDone = vi.fn();
    render(<VerifyBox onDone={onDone} />);
    expect(screen.queryByRole('textbox', { name: 'Code from the e-mail' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Send me a code' }));
    fireEvent.input(await screen.findByRole('textbox', { name: 'Code from the e-mail' }), { target: { value: ' 123456 ' } });
    expect(screen.getByRole('button', { name: 'Send another code' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(core.verifyEmail).toHaveBeenCalledWith('123456');
  });

  it('says a wrong code in words', async () => {
    vi.mocked(core.requestVerification).mockResolvedValue({ ok: true });
    vi.mocked(core.verifyEmail).mockRejectedValue(new CoreError('That code is wrong or expired.', 'wrong-code'));
    const onDone = vi.fn();
    render(<VerifyBox onDone={onDone} />);
    fireEvent.click(screen.getByRole('button', { name: 'Send me a code' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Verify' }));
    expect((await screen.findByRole('alert')).textContent).toBe('That code is wrong or expired.');
    expect(onDone).not.toHaveBeenCalled();
  });
});
