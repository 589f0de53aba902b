import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { ValueRow } from './ValueRow';

function row(props: Partial<Parameters<typeof ValueRow>[0]>) {
  const setNote = vi.fn();
  render(<dl><ValueRow label="Website" value="https://example.com" reveal={false} setNote={setNote} {...props} /></dl>);
  return { setNote };
}

describe('ValueRow', () => {
  it('reads a hidden secret as "hidden", and shows it when revealed', () => {
    row({ label: 'Password', value: 'p4ss', secret: true });
    expect(screen.queryByText('p4ss')).toBeNull();
    expect(screen.getByText('hidden')).toBeTruthy();
  });

  it('shows a revealed secret', () => {
    row({ label: 'Password', value: 'p4ss', secret: true, reveal: true });
    expect(screen.getByText('p4ss')).toBeTruthy();
  });

  it('opens web addresses in a new tab, and only http(s) ones', () => {
    row({ url: true });
    const open = screen.getByRole('link', { name: 'Open Website' });
    expect(open.getAttribute('href')).toBe('https://example.com');
    expect(open.getAttribute('target')).toBe('_blank');
    expect(open.getAttribute('rel')).toBe('noopener noreferrer');
  });

  it('offers no Open for a javascript: address', () => {
    row({ url: true, value: 'javascript:alert(1)' });
    expect(screen.queryByRole('link')).toBeNull();
    expect(screen.getByText('javascript:alert(1)')).toBeTruthy();
  });

  it('shows nothing for an empty value', () => {
    const { container } = render(<dl><ValueRow label="Username" value="" reveal={false} setNote={vi.fn()} /></dl>);
    expect(container.textContent).toBe('');
  });

  it('copies the value, even a hidden one', async () => {
    const write = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue(undefined);
    const { setNote } = row({ label: 'Password', value: 'p4ss', secret: true });
    fireEvent.click(screen.getByRole('button', { name: 'Copy Password' }));
    await waitFor(() => expect(setNote).toHaveBeenCalledWith('Copied; the clipboard is cleared in 30 s.'));
    expect(write).toHaveBeenCalledWith('p4ss');
  });
});
