import { ArrowRightLeft, Eye, EyeOff, History, Pencil, Share2, Trash2 } from 'lucide';
import { useEffect, useState } from 'preact/hooks';
import { core, message, type Item } from '../core';
import { useApp } from '../shell/AppState';
import { copy } from '../ui/copy';
import { ErrorLine } from '../ui/ErrorLine';
import { Icon } from '../ui/Icon';
import { Attachments } from './Attachments';
import { MoveDialog } from './MoveDialog';
import { ShareDialog } from './ShareDialog';
import { Totp } from './Totp';
import { TypeIcon, typeNames } from './TypeIcon';
import { ValueRow } from './ValueRow';

// ItemView shows an item: the fields a person uses first, then the rest,
// attachments, and the actions in one bar.
export function ItemView(props: { id: string; onClose: () => void; onEdit: () => void; onHistory: () => void; onGone: () => void }) {
  const app = useApp();
  const [item, setItem] = useState<Item | null>(null);
  const [reveal, setReveal] = useState(false);
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const [dialog, setDialog] = useState<'share' | 'move' | null>(null);
  useEffect(() => { core.get(props.id).then((it) => { setItem(it); setError(''); }, (e) => setError(message(e))); }, [props.id, app.tick]);
  if (error && !item) return <ErrorLine error={error} />;
  if (!item) return <p class="muted pad">Opening…</p>;
  const c = item.content;
  const readOnly = item.permission === 'view';
  const row = (label: string, value?: string, secret = false, url = false) => <ValueRow label={label} value={value} secret={secret} url={url} reveal={reveal} setNote={setNote} />;
  const meta = (label: string, value?: string) => (value ? <div class="row"><dt>{label}</dt><dd>{value}</dd></div> : null);
  const trash = async () => {
    try { await core.trash(item.id); app.changed(); props.onGone(); } catch (e) { setError(message(e)); }
  };
  return (
    <article class="item" aria-labelledby="item-title">
      <header class="item-head">
        <span class="type-badge"><TypeIcon type={item.type} /></span>
        <div>
          <h2 id="item-title">{c.name}</h2>
          <p class="muted">{typeNames[item.type] ?? item.type} · {item.vault}</p>
        </div>
        <button type="button" class="link close" onClick={props.onClose} aria-label="Close">Close</button>
      </header>
      <div class="toolbar" role="toolbar" aria-label="Item actions">
        <button type="button" onClick={() => setReveal(!reveal)} aria-pressed={reveal}><Icon icon={reveal ? EyeOff : Eye} /> {reveal ? 'Hide secrets' : 'Reveal secrets'}</button>
        {readOnly ? null : <button type="button" onClick={props.onEdit}><Icon icon={Pencil} /> Edit</button>}
        {readOnly ? null : <button type="button" onClick={() => setDialog('share')}><Icon icon={Share2} /> Share</button>}
        {readOnly ? null : <button type="button" onClick={() => setDialog('move')}><Icon icon={ArrowRightLeft} /> Move</button>}
        <button type="button" onClick={props.onHistory}><Icon icon={History} /> History</button>
        {readOnly ? null : <button type="button" onClick={trash}><Icon icon={Trash2} /> Move to trash</button>}
      </div>
      <dl>
        {row('Username', c.login?.username)}
        {row('Password', c.login?.password, true)}
        {(c.login?.urls ?? []).map((u, i) => row(i === 0 ? 'URL' : `URL ${i + 1}`, u, false, true))}
        {c.login?.totp ? <div class="row"><dt>One-time code</dt><dd><Totp id={item.id} onCopy={(v) => copy(v, setNote)} /></dd></div> : null}
        {row('Card holder', c.card?.holder)}
        {row('Card number', c.card?.number, true)}
        {row('Expiry', c.card?.expiry)}
        {row('CVV', c.card?.cvv, true)}
        {Object.entries(c.secret ?? {}).sort().map(([k, v]) => row(k, v, true))}
        {row('Notes', c.notes)}
        {meta('Tags', (c.tags ?? []).join(', '))}
        {c.favorite ? meta('Favourite', 'yes') : null}
        {meta('Revision', String(item.revision))}
      </dl>
      <Attachments item={item} onChanged={app.changed} setNote={setNote} readOnly={readOnly} />
      {/* A view-only item has no edit controls; the server and the client
          core refuse a write all the same, and say so. */}
      {readOnly ? <p class="muted view-only">View only: you can read and copy this item. Whoever manages {item.vault} can change it.</p> : null}
      {note ? <p class="muted" role="status">{note}</p> : null}
      <ErrorLine error={error} />
      {dialog === 'share' ? <ShareDialog item={item} onClose={() => setDialog(null)} onDone={(n) => { setNote(n); setDialog(null); app.changed(); }} /> : null}
      {dialog === 'move' ? <MoveDialog item={item} onClose={() => setDialog(null)} onDone={(n) => { setNote(n); setDialog(null); app.changed(); }} /> : null}
    </article>
  );
}
