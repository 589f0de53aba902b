import { fireEvent, render, screen, within } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { VirtualList } from './VirtualList';

const N = 100_000;
const items = Array.from({ length: N }, (_, i) => `Row ${i + 1}`);

function List(props: { selected?: number }) {
  return <VirtualList items={items} rowHeight={40} label="Rows" selected={props.selected} keyOf={(s) => s} render={(s) => <span>{s}</span>} />;
}

describe('VirtualList', () => {
  it('draws only the rows in view of 100,000, each knowing its place in the whole', () => {
    render(<List />);
    const rows = within(screen.getByRole('list', { name: 'Rows' })).getAllByRole('listitem');
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(60);
    expect(rows[0].textContent).toBe('Row 1');
    rows.forEach((r, i) => {
      expect(r.getAttribute('aria-setsize')).toBe(String(N));
      expect(r.getAttribute('aria-posinset')).toBe(String(i + 1));
    });
    // The list is as tall as all its rows, so the scroll bar tells the truth.
    expect(screen.getByRole('list', { name: 'Rows' }).style.height).toBe(`${N * 40}px`);
  });

  it('draws the rows scrolled to', () => {
    const { container } = render(<List />);
    const box = container.querySelector('.vlist') as HTMLElement;
    box.scrollTop = 40 * 70_000;
    fireEvent.scroll(box);
    expect(screen.getByText('Row 70001').closest('li')!.getAttribute('aria-posinset')).toBe('70001');
    expect(screen.queryByText('Row 1')).toBeNull();
    expect(within(screen.getByRole('list', { name: 'Rows' })).getAllByRole('listitem').length).toBeLessThan(60);
  });

  it('scrolls the chosen row into view', () => {
    const { container, rerender } = render(<List />);
    expect(screen.queryByText('Row 50001')).toBeNull();
    rerender(<List selected={50_000} />);
    const row = screen.getByText('Row 50001').closest('li')!;
    expect(row.getAttribute('aria-posinset')).toBe('50001');
    const box = container.querySelector('.vlist') as HTMLElement;
    const top = 50_000 * 40;
    expect(box.scrollTop).toBeLessThanOrEqual(top);
    expect(box.scrollTop + 600).toBeGreaterThanOrEqual(top + 40); // happy-dom lays nothing out: the list takes 600 px
  });
});
