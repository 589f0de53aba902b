import { Copy, ExternalLink } from 'lucide';
import { Icon } from '../ui/Icon';
import { copy } from '../ui/copy';

// ValueRow is one field of an item: its name, its value (hidden while a
// secret is not revealed — read as "hidden", not as bullets), Copy, and
// Open for a web address.
export function ValueRow(props: { label: string; value?: string; secret?: boolean; reveal: boolean; url?: boolean; multiline?: boolean; setNote: (s: string) => void }) {
  if (!props.value) return null;
  const hidden = props.secret && !props.reveal;
  const openable = props.url && /^https?:\/\//i.test(props.value);
  return (
    <div class="row">
      <dt>{props.label}</dt>
      <dd>
        {hidden ? <span class="masked"><span aria-hidden="true">••••••••</span><span class="sr-only">hidden</span></span> : <span class={props.multiline ? 'value multiline' : 'value'}>{props.value}</span>}
        <span class="row-actions">
          {openable ? <a class="button small" href={props.value} target="_blank" rel="noopener noreferrer" aria-label={`Open ${props.label}`}><Icon icon={ExternalLink} size={14} /> Open</a> : null}
          <button type="button" class="small" aria-label={`Copy ${props.label}`} onClick={() => copy(props.value!, props.setNote)}><Icon icon={Copy} size={14} /> Copy</button>
        </span>
      </dd>
    </div>
  );
}
