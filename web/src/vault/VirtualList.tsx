import type { JSX } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { scrollToShow, windowOf } from './windowing';

// VirtualList draws only the rows in view of a long list (100,000 items
// scroll like 10), each at its place in a box as tall as the whole list,
// so the scroll bar tells the truth. Each row keeps its position in the
// whole for screen readers (aria-setsize, aria-posinset).
export function VirtualList<T>(props: {
  items: T[]; rowHeight: number; label: string; selected?: number; keyOf: (it: T) => string;
  render: (it: T, i: number) => JSX.Element; onKey?: (e: KeyboardEvent) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [scroll, setScroll] = useState(0);
  const [height, setHeight] = useState(600);
  useLayoutEffect(() => {
    const el = box.current!;
    const measure = () => setHeight(el.clientHeight || 600);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  // The chosen row stays in view (chosen by a link, or the keyboard).
  useEffect(() => {
    const el = box.current;
    if (!el || props.selected === undefined || props.selected < 0) return;
    const to = scrollToShow(props.selected, el.scrollTop, el.clientHeight || height, props.rowHeight);
    if (to !== el.scrollTop) { el.scrollTop = to; setScroll(to); }
  }, [props.selected]);
  const { start, end } = windowOf(scroll, height, props.rowHeight, props.items.length);
  const rows: JSX.Element[] = [];
  for (let i = start; i < end; i++) {
    const it = props.items[i];
    rows.push(
      <li key={props.keyOf(it)} style={{ top: `${i * props.rowHeight}px`, height: `${props.rowHeight}px` }} aria-setsize={props.items.length} aria-posinset={i + 1}>
        {props.render(it, i)}
      </li>,
    );
  }
  return (
    <div ref={box} class="vlist" onScroll={(e) => setScroll((e.target as HTMLDivElement).scrollTop)} onKeyDown={(e) => props.onKey?.(e as unknown as KeyboardEvent)}>
      <ul aria-label={props.label} style={{ height: `${props.items.length * props.rowHeight}px` }}>{rows}</ul>
    </div>
  );
}
