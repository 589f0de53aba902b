import { ArrowRightLeft, Eye, EyeOff, History, Pencil, Share2, Trash2 } from 'lucide';
import { useEffect, useState } from 'preact/hooks';
import { core, message, type Field, type Item } from '../core';
import { useApp } from '../shell/AppState';
import { copy } from '../ui/copy';
import { ErrorLine } from '../ui/ErrorLine';
import { Icon } from '../ui/Icon';
import { Attachments } from './Attachments';
import { MoveDialog } from './MoveDialog';
import { ShareDialog } from './ShareDialog';
import { Totp } from './Totp';
import { TypeIcon, typeOf } from './TypeIcon';
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
  const meta = (label: string, value?: string) => (value ? <div class="row"><dt>{label}</dt><dd>{value}</dd></div> : null);
  const trash = async () => {
    try { await core.trash(item.id); app.changed(); props.onGone(); } catch (e) { setError(message(e)); }
  };
  // The fields as the client core lists them: which exist (custom ones
  // too), their labels, which are secret and which can be copied.
  const field = (f: Field) => {
    if (f.kind === 'file') return null; // attachments have their own section
    if (f.kind === 'totp') return <div class="row" key={f.name}><dt>{f.label}</dt><dd><Totp id={item.id} onCopy={(v) => copy(v, setNote)} /></dd></div>;
    if (!f.copyable) return meta(f.label, f.value);
    return <ValueRow key={f.name} label={f.label} value={f.value} secret={f.secret} url={f.kind === 'url'} multiline={f.kind === 'multiline'} reveal={reveal} setNote={setNote} />;
  };
  const anySecret = item.values.some((f) => f.secret && f.copyable);
  return (
    <article class="item" aria-labelledby="item-title">
      <header class="item-head">
        <span class="type-badge"><TypeIcon type={typeOf(app.types, item.type)} /></span>
        <div>
          <h2 id="item-title">{c.name}</h2>
          <p class="muted">{item.type_label} · {item.vault}</p>
        </div>
        <button type="button" class="link close" onClick={props.onClose} aria-label="Close">Close</button>
      </header>
      <div class="toolbar" role="toolbar" aria-label="Item actions">
        {anySecret ? <button type="button" onClick={() => setReveal(!reveal)} aria-pressed={reveal}><Icon icon={reveal ? EyeOff : Eye} /> {reveal ? 'Hide secrets' : 'Reveal secrets'}</button> : null}
        {item.can_edit ? <button type="button" onClick={props.onEdit}><Icon icon={Pencil} /> Edit</button> : null}
        {item.can_share ? <button type="button" onClick={() => setDialog('share')}><Icon icon={Share2} /> Share</button> : null}
        {item.can_move ? <button type="button" onClick={() => setDialog('move')}><Icon icon={ArrowRightLeft} /> Move</button> : null}
        <button type="button" onClick={props.onHistory}><Icon icon={History} /> History</button>
        {item.can_trash ? <button type="button" onClick={trash}><Icon icon={Trash2} /> Move to trash</button> : null}
      </div>
      <dl>
        {item.values.map(field)}
        {meta('Revision', String(item.revision))}
      </dl>
      <Attachments item={item} onChanged={app.changed} setNote={setNote} readOnly={!item.can_edit} />
      {/* A view-only item has no edit controls; the server and the client
          core refuse a write all the same, and say so. */}
      {!item.can_edit ? <p class="muted view-only">View only: you can read and copy this item. Whoever manages {item.vault} can change it.</p> : null}
      {note ? <p class="muted" role="status">{note}</p> : null}
      <ErrorLine error={error} />
      {dialog === 'share' ? <ShareDialog item={item} onClose={() => setDialog(null)} onDone={(n) => { setNote(n); setDialog(null); app.changed(); }} /> : null}
      {dialog === 'move' ? <MoveDialog item={item} onClose={() => setDialog(null)} onDone={(n) => { setNote(n); setDialog(null); app.changed(); }} /> : null}
    </article>
  );
}
