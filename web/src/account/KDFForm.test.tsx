import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core } from '../core';
import { KDFForm } from './KDFForm';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const current = { time: 3, memory_kib: 64 * 1024, threads: 4 };

function show() {
  const onDone = vi.fn();
  render(<KDFForm current={current} onDone={onDone} />);
  const set = (label: string, value: string) => fireEvent.input(screen.getByRole('spinbutton', { name: label }), { target: { value } });
  return { onDone, set };
}

describe('KDFForm', () => {
  it('starts at the current parameters, each with its hint', () => {
    show();
    expect((screen.getByRole('spinbutton', { name: 'Passes (t)', description: 'now 3' }) as HTMLInputElement).value).toBe('3');
    expect((screen.getByRole('spinbutton', { name: 'Memory (MiB)', description: 'now 64 MiB' }) as HTMLInputElement).value).toBe('64');
    expect((screen.getByRole('spinbutton', { name: 'Threads (p)', description: 'now 4' }) as HTMLInputElement).value).toBe('4');
  });

  it('wants at least one parameter raised', () => {
    show();
    fireEvent.input(screen.getByLabelText('Master password'), { target: { value: 'pw' } });
    fireEvent.click(screen.getByRole('button', { name: 'Raise the parameters' }));
    expect(screen.getByRole('alert').textContent).toBe('Raise at least one of the three.');
    expect(core.kdf).not.toHaveBeenCalled();
  });

  it('refuses to lower one: the field stops the form, nothing is sent', () => {
    const { set } = show();
    set('Passes (t)', '4');
    set('Memory (MiB)', '32');
    fireEvent.input(screen.getByLabelText('Master password'), { target: { value: 'pw' } });
    fireEvent.click(screen.getByRole('button', { name: 'Raise the parameters' }));
    const memory = screen.getByRole('spinbutton', { name: 'Memory (MiB)' }) as HTMLInputElement;
    expect(memory.validity.rangeUnderflow).toBe(true);
    expect(memory.min).toBe('64');
    expect(core.kdf).not.toHaveBeenCalled();
  });

  it('raises them with the master password', async () => {
    const account = { email: 'ann@acme.example', name: 'Ann', fingerprint: 'F', kdf: { time: 4, memory_kib: 128 * 1024, threads: 4 } };
    vi.mocked(core.kdf).mockResolvedValue(account);
    const { set, onDone } = show();
    set('Passes (t)', '4');
    set('Memory (MiB)', '128');
    fireEvent.input(screen.getByLabelText('Master password'), { target: { value: 'my master password' } });
    fireEvent.click(screen.getByRole('button', { name: 'Raise the parameters' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith(account));
    expect(core.kdf).toHaveBeenCalledWith('my master password', { time: 4, memory_kib: 128 * 1024, threads: 4 });
    expect((screen.getByLabelText('Master password') as HTMLInputElement).value).toBe('');
  });

  it('times an unlock with the parameters chosen', async () => {
    vi.mocked(core.kdfTime).mockResolvedValue({ ms: 2345 });
    const { set } = show();
    set('Threads (p)', '8');
    fireEvent.click(screen.getByRole('button', { name: 'Time it' }));
    expect((await screen.findByRole('status')).textContent).toBe('With these parameters an unlock takes about 2.3 s in this browser.');
    expect(core.kdfTime).toHaveBeenCalledWith({ time: 3, memory_kib: 64 * 1024, threads: 8 });
  });
});
