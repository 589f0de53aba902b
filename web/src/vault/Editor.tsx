import { useEffect, useState } from 'preact/hooks';
import { core, CoreError, message, RULES, type Content, type Item, type SSHKeyCheck, type TypeField } from '../core';
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

// memberOf is the content's member called name, as an editor reads it.
function memberOf(c: Content | undefined, name: string): Record<string, unknown> {
  return ((c as Record<string, unknown> | undefined)?.[name] ?? {}) as Record<string, unknown>;
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
  // The type's fields are the client core's (itemTypes(): labels, kinds,
  // which are secret, which the core computes); the form only lays them
  // out and puts each value in its member.
  const t = app.types.find((x) => x.name === type);
  const [name, setName] = useState(orig?.name ?? '');
  // A typed value is kept under "member.field" until saved; untouched
  // ones read the item's own.
  const [values, setValues] = useState<Record<string, string>>({});
  const valueOf = (member: string, f: string) => values[`${member}.${f}`] ?? String(memberOf(orig, member)[f] ?? '');
  const setValue = (member: string, f: string, v: string) => setValues({ ...values, [`${member}.${f}`]: v });
  const [lists, setLists] = useState<Record<string, string[]>>({});
  const listOf = (member: string, f: string) => {
    const have = lists[`${member}.${f}`] ?? (memberOf(orig, member)[f] as string[] | undefined) ?? [];
    return have.length ? have : [''];
  };
  const setList = (member: string, f: string, v: string[]) => setLists({ ...lists, [`${member}.${f}`]: v });
  const [notes, setNotes] = useState(orig?.notes ?? '');
  const [tags, setTags] = useState((orig?.tags ?? []).join(', '));
  const [favorite, setFavorite] = useState(orig?.favorite ?? false);
  const [fields, setFields] = useState<[string, string][]>(Object.entries(orig?.secret ?? {}).sort().concat(orig?.secret ? [] : [['', '']]));
  const [custom, setCustom] = useState<CustomField[]>(orig?.fields ?? []);
  const [gen, setGen] = useState(false);
  const [shown, setShown] = useState<Record<string, boolean>>({});
  const [file, setFile] = useState<File | null>(null);
  const [conflict, setConflict] = useState<{ theirs: Item; mine: Content } | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  // An SSH key is checked as it is typed, by the core's rule: the
  // fingerprint (and the public key an OpenSSH private key holds) shown
  // before saving, or what is wrong.
  const [keyCheck, setKeyCheck] = useState<SSHKeyCheck | null>(null);
  const privateKey = t?.member === 'ssh_key' ? valueOf('ssh_key', 'private_key') : '';
  const publicKey = t?.member === 'ssh_key' ? valueOf('ssh_key', 'public_key') : '';
  useEffect(() => {
    if (t?.member !== 'ssh_key') return;
    let current = true;
    core.checkSSHKey(privateKey, publicKey).then((c) => { if (current) setKeyCheck(c); }, () => undefined);
    return () => { current = false; };
  }, [t?.member, privateKey, publicKey]);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    // Unknown members of the content (from newer clients) are kept.
    const c: Content = { ...(orig ?? {}), name, notes: notes || undefined, tags: tags.split(',').map((x) => x.trim()).filter(Boolean), favorite };
    const members = c as Record<string, unknown>;
    for (const x of app.types) if (x.member) delete members[x.member];
    if (t?.member && t.free_keys) members[t.member] = Object.fromEntries(fields.filter(([k]) => k.trim()));
    else if (t?.member) {
      const m: Record<string, unknown> = {};
      for (const f of t.fields) {
        if (f.read_only) continue; // the core computes it
        if (f.repeated) m[f.name] = listOf(t.member, f.name).filter(Boolean);
        else if (valueOf(t.member, f.name)) m[f.name] = valueOf(t.member, f.name);
      }
      members[t.member] = m;
    }
    c.fields = custom.filter((f) => f.name.trim());
    if (c.fields.length === 0) delete c.fields;
    setBusy(true);
    try {
      if (t?.file && !props.item) {
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
  // One field of the type, as its kind says: a line, a masked line, a
  // web address, a list, or several lines (masked too when secret).
  const typeField = (member: string, f: TypeField) => {
    const id = `${member === 'login' ? 'item' : member}-${f.name}`;
    if (f.repeated) {
      const list = listOf(member, f.name);
      return (
        <div key={f.name}>
          {list.map((u, i) => (
            <div class="inline" key={i}>
              <Field label={i === 0 ? f.label : `${f.label} ${i + 1}`} id={`${id.replace(/s$/, '')}-${i}`} type={f.kind === 'url' ? 'url' : 'text'} value={u} maxLength={f.max || undefined}
                onInput={(v) => setList(member, f.name, list.map((x, j) => (j === i ? v : x)))} />
              {list.length > 1 ? <button type="button" class="small" aria-label={`Remove ${f.label} ${i + 1}`} onClick={() => setList(member, f.name, list.filter((_, j) => j !== i))}>Remove</button> : null}
            </div>
          ))}
          <button type="button" class="link" onClick={() => setList(member, f.name, [...list, ''])}>Add another {f.label}</button>
        </div>
      );
    }
    if (f.read_only) {
      // Computed by the core when the item is saved; shown, never sent.
      const v = (member === 'ssh_key' && f.name === 'fingerprint' ? keyCheck?.fingerprint : undefined) || valueOf(member, f.name);
      return <Field key={f.name} label={f.label} id={id} value={v} readOnly onInput={() => undefined} hint={v ? 'Computed by Coffer from the public key' : 'Computed by Coffer from the public key when there is one'} />;
    }
    // What the key check says under the key it is about.
    const keyProblem = member === 'ssh_key' && keyCheck && !keyCheck.ok && (f.name === 'private_key' || f.name === 'public_key') ? keyCheck.problem : undefined;
    if (f.multiline) {
      const masked = f.secret && !shown[f.name];
      return (
        <div key={f.name} class={keyProblem ? 'field invalid' : 'field'}>
          <label for={id}>{f.label}</label>
          <textarea id={id} class={masked ? 'code masked-text' : 'code'} value={valueOf(member, f.name)} maxLength={f.max || undefined} spellcheck={false} autocomplete="off"
            placeholder={f.hint} aria-describedby={keyProblem ? `${id}-note` : undefined} aria-invalid={keyProblem ? 'true' : undefined}
            onInput={(e) => setValue(member, f.name, (e.target as HTMLTextAreaElement).value)} />
          {keyProblem ? <span id={`${id}-note`} class="field-error">{keyProblem}</span> : null}
          {f.secret ? <button type="button" class="link" aria-pressed={!masked} onClick={() => setShown({ ...shown, [f.name]: !shown[f.name] })}>{masked ? `Show the ${f.label.toLowerCase()}` : `Hide the ${f.label.toLowerCase()}`}</button> : null}
        </div>
      );
    }
    const derived = member === 'ssh_key' && f.name === 'public_key' && !publicKey && keyCheck?.public_key ? keyCheck.public_key : undefined;
    return (
      <div key={f.name}>
        <Field label={f.label} id={id} type={f.secret ? 'password' : f.kind === 'url' ? 'url' : 'text'} value={valueOf(member, f.name)} maxLength={f.max || undefined}
          autocomplete={f.generate ? 'new-password' : 'off'} onInput={(v) => setValue(member, f.name, v)}
          placeholder={derived ?? (f.kind === 'multiline' ? undefined : f.hint)} error={keyProblem}
          hint={derived ? 'Read from the private key when saved' : undefined} />
        {f.generate ? <button type="button" class="link" onClick={() => setGen(!gen)} aria-expanded={gen}>{gen ? 'Close the generator' : `Generate a ${f.label.toLowerCase()}`}</button> : null}
        {f.generate && gen ? <Generator onUse={(v) => { setValue(member, f.name, v); setGen(false); }} /> : null}
      </div>
    );
  };
  return (
    <form class="editor" onSubmit={submit} aria-labelledby="edit-title">
      <h2 id="edit-title">{props.item ? `Edit ${orig?.name}` : 'New item'}</h2>
      {props.item ? <p class="muted">In {props.item.vault}. To put it elsewhere, use Move.</p> : (
        <div class="two">
          <div class="field"><label for="type">Type</label>
            <select id="type" value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
              {app.types.map((x) => <option key={x.name} value={x.name}>{x.label}</option>)}
            </select></div>
          <div class="field"><label for="item-vault">Vault</label>
            <select id="item-vault" value={vault} onChange={(e) => setVault((e.target as HTMLSelectElement).value)}>
              {writable.map((v) => <option key={v.id} value={v.id}>{v.label}</option>)}
            </select></div>
        </div>
      )}
      <Field label="Name" id="item-name" value={name} onInput={setName} required autofocus={!props.item} maxLength={RULES.item_name_max} />
      {t?.member && !t.free_keys && t.fields.length ? (
        <fieldset><legend>{t.member === 'login' ? 'Sign-in' : t.label}</legend>{t.fields.map((f) => typeField(t.member!, f))}</fieldset>
      ) : null}
      {t?.file && !props.item ? (
        <div class="field"><label for="item-file">File</label>
          <input id="item-file" type="file" required onChange={(e) => { const f = (e.target as HTMLInputElement).files?.[0] ?? null; setFile(f); if (f && !name) setName(f.name); }} /></div>
      ) : null}
      {progress !== null ? <progress max={1} value={progress} aria-label="Upload progress" /> : null}
      {t?.free_keys ? (
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
