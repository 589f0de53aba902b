import { Star } from 'lucide';
import { useEffect, useRef } from 'preact/hooks';
import type { Summary } from '../core';
import { Icon } from '../ui/Icon';
import { Link } from '../shell/Link';
import { navigate } from '../shell/router';
import { href } from '../shell/routes';
import { TypeIcon, typeNames } from './TypeIcon';
import { VirtualList } from './VirtualList';

export const ROW_HEIGHT = 56;

// ItemList is every item of the list (no cap), in the order the client
// core sorts them, drawn as far as it is in view. Up and Down move
// between items.
export function ItemList(props: { items: Summary[]; vault: string; selected: string }) {
  const index = props.items.findIndex((it) => it.id === props.selected);
  const box = useRef<HTMLDivElement>(null);
  const linkOf = (it: Summary) => href({ screen: 'vault', vault: props.vault, item: it.id, mode: 'view' });
  // Keyboard moves take the focus along to the item they chose.
  const focusNext = useRef(false);
  useEffect(() => {
    if (!focusNext.current) return;
    focusNext.current = false;
    box.current?.querySelector<HTMLElement>(`[data-id="${CSS.escape(props.selected)}"]`)?.focus();
  }, [props.selected]);
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const next = Math.min(props.items.length - 1, Math.max(0, index + (e.key === 'ArrowDown' ? 1 : -1)));
    if (next === index || !props.items[next]) return;
    focusNext.current = true;
    navigate(linkOf(props.items[next]), { replace: true });
  };
  return (
    <div ref={box} class="item-list">
      <VirtualList items={props.items} rowHeight={ROW_HEIGHT} label="Items" selected={index} keyOf={(it) => it.id} onKey={onKey}
        render={(it) => (
          <Link href={linkOf(it)} class={it.id === props.selected ? 'entry selected' : 'entry'} current={it.id === props.selected} dataId={it.id}>
            <span class="type" title={typeNames[it.type] ?? it.type}><TypeIcon type={it.type} /></span>
            <span class="text">
              <span class="name">{it.name}{it.favorite ? <span class="star"><Icon icon={Star} label="favourite" size={14} /></span> : null}</span>
              <span class="sub">{[it.username, it.vault].filter(Boolean).join(' · ')}</span>
            </span>
          </Link>
        )} />
    </div>
  );
}
