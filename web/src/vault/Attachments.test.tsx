import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError } from '../core';
import { item } from '../test/app';
import { Attachments } from './Attachments';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const withFile = item({ content: { name: 'Contract', files: [{ id: 'f1', name: 'contract.pdf', size: 2048, sha256: 'abc', key: null }] } });

describe('Attachments', () => {
  it('lists the files with their sizes and offers uploads to an editor', () => {
    render(<Attachments item={withFile} onChanged={vi.fn()} setNote={vi.fn()} />);
    expect(screen.getByText('contract.pdf')).toBeTruthy();
    expect(screen.getByText('(2.0 KiB)')).toBeTruthy();
    expect(screen.getByLabelText('Attach a file')).toBeTruthy();
  });

  it('offers no upload to a reader, and shows nothing without files', () => {
    const { container, rerender } = render(<Attachments item={withFile} onChanged={vi.fn()} setNote={vi.fn()} readOnly />);
    expect(screen.queryByLabelText('Attach a file')).toBeNull();
    expect(screen.getByRole('button', { name: 'Download contract.pdf' })).toBeTruthy();
    rerender(<Attachments item={item()} onChanged={vi.fn()} setNote={vi.fn()} readOnly />);
    expect(container.textContent).toBe('');
  });

  it('says a download whose hash does not match in words', async () => {
    vi.mocked(core.download).mockRejectedValue(new CoreError('contract.pdf: hash mismatch.', 'tampered'));
    render(<Attachments item={withFile} onChanged={vi.fn()} setNote={vi.fn()} />);
    fireEvent.click(screen.getByRole('button', { name: 'Download contract.pdf' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Tampering detected: contract.pdf: hash mismatch. Nothing of it is shown.');
    expect(core.download).toHaveBeenCalledWith('i-1', 'f1');
  });

  it('uploads a file chosen', async () => {
    vi.mocked(core.attach).mockResolvedValue({ id: 'i-1' });
    const onChanged = vi.fn();
    render(<Attachments item={withFile} onChanged={onChanged} setNote={vi.fn()} />);
    const input = screen.getByLabelText('Attach a file') as HTMLInputElement;
    const file = new File(['hello'], 'notes.txt', { type: 'text/plain' });
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    fireEvent.change(input);
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    const [id, name, fileName, bytes] = vi.mocked(core.attach).mock.calls[0];
    expect([id, name, fileName, new TextDecoder().decode(bytes)]).toEqual(['i-1', '', 'notes.txt', 'hello']);
  });
});
