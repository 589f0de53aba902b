import { useEffect, useState } from 'preact/hooks';
import { core, CoreError, message, type Content, type Item } from '../core';
import type { CustomField } from '../core/types.gen';
import { useApp } from '../shell/AppState';
import { ErrorLine } from '../ui/ErrorLine';
import { Field } from '../ui/Field';
import { ConflictView } from './ConflictView';
import { Generator } from './Generator';
import { sortVaults } from './VaultsPane';

// Editor is a new item (in the vault chosen, which it shows and lets be
// changed) or an edit of one (over the revision it started from: a newer
// one is a conflict, never overwritten unseen).
export function Editor(props: { id?: string; vault?: string; onDone: (id: string) => void; onCancel: () => void }) {
  const [item, setItem] = useState<Item | null | undefined>(props.id ? undefined : null);
  const [error, setError] = useState('');
  useEffect(() => { if (props.id) core.get(props.id).then(setItem, (e) => setError(message(e))); }, [props.id]);
  if (item === undefined) return error ? <ErrorLine error={error} /> : <p class="muted pad">Opening…</p>;
  return <EditorForm item={item ?? undefined} vault={props.vault ?? ''} onDone={props.onDone} onCancel={props.onCancel} />;
}

function EditorForm(props: { item?: Item; vault: string; onDone: (id: string) => void; onCancel: () => void }) {
  const app = useApp();
  const orig = props.item?.content;
  // Where a new item can go: My Vault and the vaults this account may
  // write to; the one chosen in the list first, if it is one of them.
  // (The vaults may arrive after the editor opened: the choice is made
  // among those there are now.)
  const writable = sortVaults(app.vaults).filter((v) => v.can_create);
  const [chosen, setVault] = useState('');
  const vault = writable.some((v) => v.id === chosen) ? chosen : writable.find((v) => v.id === props.vault)?.id ?? writable[0]?.id ?? '';
  const [type, setType] = useState(props.item?.type ?? 'login');
  const [name, setName] = useState(orig?.name ?? '');
  const [username, setUsername] = useState(orig?.login?.username ?? '');
  const [password, setPassword] = useState(orig?.login?.password ?? '');
  const [urls, setUrls] = useState<string[]>(orig?.login?.urls?.length ? orig.login.urls : ['']);
  const [totp, setTotp] = useState(orig?.login?.totp ?? '');
  const [notes, setNotes] = useState(orig?.notes ?? '');
  const [tags, setTags] = useState((orig?.tags ?? []).join(', '));
  const [favorite, setFavorite] = useState(orig?.favorite ?? false);
  const [card, setCard] = useState(orig?.card ?? {});
  const [fields, setFields] = useState<[string, string][]>(Object.entries(orig?.secret ?? {}).sort().concat(orig?.secret ? [] : [['', '']]));
  const [custom, setCustom] = useState<CustomField[]>(orig?.fields ?? []);
  const [gen, setGen] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [conflict, setConflict] = useState<{ theirs: Item; mine: Content } | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    // Unknown members of the content (from newer clients) are kept.
    const c: Content = { ...(orig ?? {}), name, notes: notes || undefined, tags: tags.split(',').map((t) => t.trim()).filter(Boolean), favorite };
    delete c.login; delete c.card; delete c.secret;
    if (type === 'login') c.login = { username: username || undefined, password: password || undefined, urls: urls.filter(Boolean), totp: totp || undefined };
    if (type === 'card') c.card = card;
    if (type === 'secret') c.secret = Object.fromEntries(fields.filter(([k]) => k.trim()));
    c.fields = custom.filter((f) => f.name.trim());
    if (c.fields.length === 0) delete c.fields;
    setBusy(true);
    try {
      if (type === 'file' && !props.item) {
        if (!file) throw new Error('Choose a file.');
        setProgress(0);
        props.onDone((await core.attach('', name, file.name, new Uint8Array(await file.arrayBuffer()), (sent, total) => setProgress(total ? sent / total : 1), vault)).id);
        return;
      }
      if (props.item) { await core.update(props.item.id, c, props.item.revision); props.onDone(props.item.id); } else props.onDone((await core.create(type, c, vault)).id);
    } catch (err) {
      if (err instanceof CoreError && err.kind === 'conflict' && props.item) setConflict({ theirs: await core.get(props.item.id), mine: c });
      setError(message(err));
    } finally {
      setBusy(false);
      setProgress(null);
    }
  };
  if (conflict && props.item) return <ConflictView base={props.item.revision} theirs={conflict.theirs} mine={conflict.mine} onDone={props.onDone} />;
  const cardField = (key: keyof typeof card, label: string, t = 'text') => (
    <Field label={label} id={`card-${key}`} type={t} value={card[key] ?? ''} onInput={(v) => setCard({ ...card, [key]: v })} autocomplete="off" />
  );
  return (
    <form class="editor" onSubmit={submit} aria-labelledby="edit-title">
      <h2 id="edit-title">{props.item ? `Edit ${orig?.name}` : 'New item'}</h2>
      {props.item ? <p class="muted">In {props.item.vault}. To put it elsewhere, use Move.</p> : (
        <div class="two">
          <div class="field"><label for="type">Type</label>
            <select id="type" value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
              <option value="login">Login</option><option value="note">Secure note</option>
              <option value="secret">API secret</option><option value="card">Card</option><option value="file">File</option>
            </select></div>
          <div class="field"><label for="item-vault">Vault</label>
            <select id="item-vault" value={vault} onChange={(e) => setVault((e.target as HTMLSelectElement).value)}>
              {writable.map((v) => <option key={v.id} value={v.id}>{v.label}</option>)}
            </select></div>
        </div>
      )}
      <Field label="Name" id="item-name" value={name} onInput={setName} required autofocus={!props.item} />
      {type === 'login' ? (
        <fieldset><legend>Sign-in</legend>
          <Field label="Username" id="item-username" value={username} onInput={setUsername} autocomplete="off" />
          <Field label="Password" id="item-password" type="password" value={password} onInput={setPassword} autocomplete="new-password" />
          <button type="button" class="link" onClick={() => setGen(!gen)} aria-expanded={gen}>{gen ? 'Close the generator' : 'Generate a password'}</button>
          {gen ? <Generator onUse={(v) => { setPassword(v); setGen(false); }} /> : null}
          {urls.map((u, i) => (
            <div class="inline" key={i}>
              <Field label={i === 0 ? 'URL' : `URL ${i + 1}`} id={`item-url-${i}`} type="url" value={u} onInput={(v) => setUrls(urls.map((x, j) => (j === i ? v : x)))} />
              {urls.length > 1 ? <button type="button" class="small" aria-label={`Remove URL ${i + 1}`} onClick={() => setUrls(urls.filter((_, j) => j !== i))}>Remove</button> : null}
            </div>
          ))}
          <button type="button" class="link" onClick={() => setUrls([...urls, ''])}>Add another URL</button>
          <Field label="TOTP secret (otpauth:// or base32)" id="item-totp" value={totp} onInput={setTotp} autocomplete="off" />
        </fieldset>
      ) : null}
      {type === 'file' && !props.item ? (
        <div class="field"><label for="item-file">File</label>
          <input id="item-file" type="file" required onChange={(e) => { const f = (e.target as HTMLInputElement).files?.[0] ?? null; setFile(f); if (f && !name) setName(f.name); }} /></div>
      ) : null}
      {progress !== null ? <progress max={1} value={progress} aria-label="Upload progress" /> : null}
      {type === 'card' ? <fieldset><legend>Card</legend>{cardField('holder', 'Card holder')}{cardField('number', 'Card number')}{cardField('expiry', 'Expiry (MM/YY)')}{cardField('cvv', 'CVV', 'password')}</fieldset> : null}
      {type === 'secret' ? (
        <fieldset><legend>Keys</legend>
          {fields.map(([k, v], i) => (
            <div class="inline" key={i}>
              <Field label="Key" id={`secret-key-${i}`} value={k} onInput={(x) => setFields(fields.map((f, j) => (j === i ? [x, f[1]] : f)))} autocomplete="off" />
              <Field label="Value" id={`secret-value-${i}`} type="password" value={v} onInput={(x) => setFields(fields.map((f, j) => (j === i ? [f[0], x] : f)))} autocomplete="off" />
            </div>
          ))}
          <button type="button" class="link" onClick={() => setFields([...fields, ['', '']])}>Add a key</button>
        </fieldset>
      ) : null}
      <fieldset><legend>Custom fields</legend>
        {custom.map((f, i) => (
          <div class="inline" key={i}>
            <Field label={`Name of field ${i + 1}`} id={`custom-name-${i}`} value={f.name} onInput={(x) => setCustom(custom.map((g, j) => (j === i ? { ...g, name: x } : g)))} autocomplete="off" />
            <Field label={`Value of field ${i + 1}`} id={`custom-value-${i}`} type={f.kind === 'hidden' ? 'password' : f.kind === 'url' ? 'url' : 'text'} value={f.value} onInput={(x) => setCustom(custom.map((g, j) => (j === i ? { ...g, value: x } : g)))} autocomplete="off" />
            <div class="field"><label for={`custom-kind-${i}`}>Kind of field {i + 1}</label>
              <select id={`custom-kind-${i}`} value={f.kind || 'text'} onChange={(e) => { const k = (e.target as HTMLSelectElement).value; setCustom(custom.map((g, j) => (j === i ? { ...g, kind: k } : g))); }}>
                <option value="text">text</option><option value="hidden">hidden</option><option value="url">web address</option>
              </select></div>
            <button type="button" class="small" aria-label={`Remove the field ${f.name || i + 1}`} onClick={() => setCustom(custom.filter((_, j) => j !== i))}>Remove</button>
          </div>
        ))}
        <button type="button" class="link" onClick={() => setCustom([...custom, { name: '', value: '', kind: 'text' }])}>Add a field</button>
      </fieldset>
      <fieldset><legend>More</legend>
        <div class="field"><label for="item-notes">Notes</label>
          <textarea id="item-notes" value={notes} onInput={(e) => setNotes((e.target as HTMLTextAreaElement).value)} /></div>
        <Field label="Tags (comma-separated)" id="item-tags" value={tags} onInput={setTags} />
        <label><input type="checkbox" checked={favorite} onChange={() => setFavorite(!favorite)} /> Favourite</label>
      </fieldset>
      <ErrorLine error={error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>Save</button>
        <button type="button" onClick={props.onCancel}>Cancel</button>
      </div>
    </form>
  );
}
