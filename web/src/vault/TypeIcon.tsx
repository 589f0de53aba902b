import { CreditCard, FileText, IdCard, KeyRound, KeySquare, Paperclip, StickyNote, Terminal, type IconNode } from 'lucide';
import type { ItemType } from '../core';
import { Icon } from '../ui/Icon';

// The icons the client core's types name (view.ItemType.icon), from the
// Lucide set the page bundles; a name not here (a newer core's) draws a
// plain document.
const icons: Record<string, IconNode> = {
  'key-round': KeyRound, 'sticky-note': StickyNote, terminal: Terminal, 'credit-card': CreditCard, 'id-card': IdCard, 'key-square': KeySquare, paperclip: Paperclip,
};

// typeOf is the type called name among types (the app's, from the core).
export function typeOf(types: ItemType[], name: string): ItemType | undefined {
  return types.find((t) => t.name === name);
}

// TypeIcon is an item type's icon; the type's name is said next to it or
// in the row's own words.
export function TypeIcon(props: { type?: ItemType }) {
  return <Icon icon={icons[props.type?.icon ?? ''] ?? FileText} />;
}
