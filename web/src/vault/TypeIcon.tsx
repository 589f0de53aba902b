import { CreditCard, FileText, KeyRound, Paperclip, StickyNote, Terminal } from 'lucide';
import { Icon } from '../ui/Icon';

const icons = { login: KeyRound, note: StickyNote, secret: Terminal, card: CreditCard, file: Paperclip };

// typeNames are the item types' names as a person reads them.
export const typeNames: Record<string, string> = { login: 'Login', note: 'Secure note', secret: 'API secret', card: 'Card', file: 'File' };

// TypeIcon is an item type's icon; the type's name is said next to it or
// in the row's own words.
export function TypeIcon(props: { type: string }) {
  return <Icon icon={icons[props.type as keyof typeof icons] ?? FileText} />;
}
