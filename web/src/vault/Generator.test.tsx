import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core } from '../core';
import { GeneratorPage } from '../tools/GeneratorPage';
import { Generator } from './Generator';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

function generating() {
  let n = 0;
  vi.mocked(core.generate).mockImplementation(async () => ({ value: `generated-${++n}` }));
}

describe('Generator', () => {
  it("makes a password with the core's generator at once, and another on Again", async () => {
    generating();
    render(<Generator onUse={vi.fn()} />);
    expect(await screen.findByText('generated-1')).toBeTruthy();
    expect(core.generate).toHaveBeenLastCalledWith({ length: 20, no_upper: false, no_digits: false, no_symbols: false });
    fireEvent.click(screen.getByRole('button', { name: 'Again' }));
    expect(await screen.findByText('generated-2')).toBeTruthy();
  });

  it('follows the length and character sets chosen', async () => {
    generating();
    render(<Generator />);
    fireEvent.input(screen.getByRole('spinbutton', { name: 'Length' }), { target: { value: '32' } });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Symbols' }));
    await waitFor(() => expect(core.generate).toHaveBeenLastCalledWith({ length: 32, no_upper: false, no_digits: false, no_symbols: true }));
    expect(screen.queryByRole('button', { name: 'Use it' })).toBeNull(); // nothing to use it for
  });

  it('makes a passphrase of six words, then as many as asked within the rules', async () => {
    generating();
    render(<Generator />);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Passphrase' }));
    await waitFor(() => expect(core.generate).toHaveBeenLastCalledWith({ words: 6, separator: '-' }));
    expect(screen.queryByRole('spinbutton', { name: 'Length' })).toBeNull();
    fireEvent.input(screen.getByRole('spinbutton', { name: 'Words' }), { target: { value: '99' } });
    await waitFor(() => expect(core.generate).toHaveBeenLastCalledWith({ words: 20, separator: '-' }));
  });

  it('hands the value to whoever uses it', async () => {
    generating();
    const onUse = vi.fn();
    render(<Generator onUse={onUse} />);
    await screen.findByText('generated-1');
    fireEvent.click(screen.getByRole('button', { name: 'Use it' }));
    expect(onUse).toHaveBeenCalledWith('generated-1');
  });
});

describe('GeneratorPage', () => {
  it('copies the password made', async () => {
    generating();
    const write = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue(undefined);
    render(<GeneratorPage />);
    await screen.findByText('generated-1');
    fireEvent.click(screen.getByRole('button', { name: 'Copy' }));
    expect((await screen.findByRole('status')).textContent).toBe('Copied; the clipboard is cleared in 30 s.');
    expect(write).toHaveBeenCalledWith('generated-1');
  });
});
