import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError } from '../core';
import { SSOButton } from './SSOButton';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

describe('SSOButton', () => {
  it('is not there when the server has no single sign-on', async () => {
    vi.mocked(core.ssoInfo).mockResolvedValue({ enabled: false });
    const { container } = render(<SSOButton />);
    await waitFor(() => expect(core.ssoInfo).toHaveBeenCalled());
    expect(container.textContent).toBe('');
  });

  it('names the provider, says the master password still unlocks, and starts the sign-in', async () => {
    vi.mocked(core.ssoInfo).mockResolvedValue({ enabled: true, name: 'Acme ID', domains: ['acme.example'] });
    vi.mocked(core.ssoStart).mockRejectedValue(new CoreError('your company\'s sign-in cannot be reached just now', 'error'));
    render(<SSOButton />);
    const button = await screen.findByRole('button', { name: 'Log in with Acme ID' });
    expect(screen.getByText(/Your master password still unlocks your vault/)).toBeTruthy();
    expect(screen.getByText(/People at acme.example log in this way/)).toBeTruthy();
    fireEvent.click(button);
    await screen.findByText(/cannot be reached just now/);
    expect(core.ssoStart).toHaveBeenCalled();
  });
});
