import { Star } from 'lucide';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import type { ItemType, Rows } from '../core';
import { Icon } from '../ui/Icon';
import { Link } from '../shell/Link';
import { navigate } from '../shell/router';
import { href } from '../shell/routes';
import { TypeIcon, typeOf } from './TypeIcon';
import { VirtualList } from './VirtualList';

export const ROW_HEIGHT = 56;

// ItemList is every item of the list (no cap), in the order the client
// core sorts them, drawn as far as it is in view: shown are positions in
// rows (the list the page holds, column by column). Up and Down move
// between items. busy: the list does not answer what was typed yet.
export function ItemList(props: { rows: Rows; shown: number[]; vault: string; selected: string; busy?: boolean; types?: ItemType[] }) {
  const { rows, shown } = props;
  const index = useMemo(() => (props.selected ? shown.findIndex((p) => rows.id[p] === props.selected) : -1), [rows, shown, props.selected]);
  const favorites = useMemo(() => new Set(rows.favorite), [rows]);
  const box = useRef<HTMLDivElement>(null);
  const linkOf = (p: number) => href({ screen: 'vault', vault: props.vault, item: rows.id[p], mode: 'view' });
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
    const next = Math.min(shown.length - 1, Math.max(0, index + (e.key === 'ArrowDown' ? 1 : -1)));
    if (next === index || shown[next] === undefined) return;
    focusNext.current = true;
    navigate(linkOf(shown[next]), { replace: true });
  };
  return (
    <div ref={box} class="item-list" aria-busy={props.busy ? 'true' : undefined}>
      <VirtualList items={shown} rowHeight={ROW_HEIGHT} label="Items" selected={index} keyOf={(p) => rows.id[p]} onKey={onKey}
        render={(p) => {
          const id = rows.id[p];
          const type = typeOf(props.types ?? [], rows.types[rows.type[p]]);
          return (
            <Link href={linkOf(p)} class={id === props.selected ? 'entry selected' : 'entry'} current={id === props.selected} dataId={id}>
              <span class="type" title={type?.label ?? rows.types[rows.type[p]]}><TypeIcon type={type} /></span>
              <span class="text">
                <span class="name">{rows.name[p]}{favorites.has(p) ? <span class="star"><Icon icon={Star} label="favourite" size={14} /></span> : null}</span>
                <span class="sub">{[rows.username[p], rows.vaults[rows.vault[p]]].filter(Boolean).join(' · ')}</span>
              </span>
            </Link>
          );
        }} />
    </div>
  );
}
