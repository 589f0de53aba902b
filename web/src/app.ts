import { h, render, type ComponentChild } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { core, CoreError, message, type Account, type Content, type KDF, type Notice, type Recovery, type Item, type SessionInfo, type Status, type Summary, type Value, type VaultInfo, type Version } from './core';
import { MIN_LENGTH, strength } from './strength';
import { copy, ErrorLine, Field } from './ui';
import { JoinView, OrgsView, ShareMove } from './orgs';

// Everything from the server or an item is rendered as text by Preact;
// this file never sets HTML.

function Welcome(props: { status: Status; invited?: boolean; onDone: (s: Status) => void }) {
  const [mode, setMode] = useState<'unlock' | 'login' | 'signup'>(props.status.state === 'locked' ? 'unlock' : 'signup');
  const [email, setEmail] = useState(props.status.email ?? '');
  const [name, setName] = useState('');
  const [pw, setPw] = useState('');
  const [pw2, setPw2] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  // A sign-up the server holds until the code it mailed comes back.
  const [held, setHeld] = useState<{ userID: string; email: string } | null>(null);
  const [code, setCode] = useState('');
  const st = strength(pw);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    if (mode === 'signup' && pw !== pw2) {
      setError('The two passwords differ.');
      return;
    }
    setBusy(true);
    try {
      if (held) {
        await core.verifySignup(held.userID, code);
        props.onDone({ ...(await core.login(held.email, pw)), state: 'unlocked' });
        return;
      }
      const s = mode === 'signup' ? await core.signup(email, name, pw) : mode === 'login' ? await core.login(email, pw) : await core.unlock(pw);
      if (s.state === 'verify') {
        setHeld({ userID: s.user_id ?? '', email: s.email ?? email });
        return;
      }
      props.onDone({ ...s, state: 'unlocked' });
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  const titles = { unlock: 'Unlock', login: 'Log in', signup: 'Create your account' };
  if (held) {
    return h('form', { class: 'card', onSubmit: submit, 'aria-labelledby': 'welcome-title' },
      h('h1', { id: 'welcome-title' }, 'Check your e-mail'),
      h('p', null, `This server mailed a code to ${held.email}. Enter it to finish creating your account. (If the address has an account already, no code comes: log in instead.)`),
      h(Field, { label: 'Code from the e-mail', id: 'signup-code', value: code, onInput: setCode, required: true, autofocus: true, autocomplete: 'one-time-code' }),
      h(ErrorLine, { error }),
      h('button', { type: 'submit', class: 'primary', disabled: busy }, busy ? 'Working…' : 'Verify and log in'),
      h('p', { class: 'switch' }, h('button', { type: 'button', class: 'link', onClick: () => { setHeld(null); setMode('login'); } }, 'Log in instead')));
  }
  return h('form', { class: 'card', onSubmit: submit, 'aria-labelledby': 'welcome-title' },
    h('h1', { id: 'welcome-title' }, titles[mode]),
    props.invited ? h('p', { class: 'invited' }, 'You were invited to an organisation. Log in, or create your account, with the address the invitation went to; then enter the confirmation code you were given.') : null,
    mode === 'unlock' ? h('p', { class: 'muted' }, 'Locked as ', h('strong', null, props.status.email ?? '')) : null,
    mode !== 'unlock' ? h(Field, { label: 'E-mail', id: 'email', type: 'email', value: email, onInput: setEmail, autocomplete: 'username', required: true, autofocus: true }) : null,
    mode === 'signup' ? h(Field, { label: 'Your name', id: 'name', value: name, onInput: setName, autocomplete: 'name', required: true }) : null,
    h(Field, { label: 'Master password', id: 'password', type: 'password', value: pw, onInput: setPw, autocomplete: mode === 'signup' ? 'new-password' : 'current-password', required: true, autofocus: mode === 'unlock' }),
    mode === 'signup' ? h('div', { class: 'meter', 'data-score': String(st.score) },
      h('meter', { min: 0, max: 4, value: st.score, 'aria-label': 'Password strength' }),
      h('span', { id: 'strength' }, pw ? st.label : `At least ${MIN_LENGTH} characters; a few unrelated words work well.`)) : null,
    mode === 'signup' ? h(Field, { label: 'Master password again', id: 'password2', type: 'password', value: pw2, onInput: setPw2, autocomplete: 'new-password', required: true }) : null,
    h(ErrorLine, { error }),
    h('button', { type: 'submit', class: 'primary', disabled: busy }, busy ? 'Working…' : titles[mode]),
    h('p', { class: 'switch' },
      mode !== 'signup' ? h('button', { type: 'button', class: 'link', onClick: () => setMode('signup') }, 'Create an account') : null,
      mode !== 'login' ? h('button', { type: 'button', class: 'link', onClick: () => setMode('login') }, props.status.state === 'locked' ? 'Log in as someone else' : 'Log in') : null,
      mode === 'login' && props.status.state === 'locked' ? h('button', { type: 'button', class: 'link', onClick: () => setMode('unlock') }, 'Unlock') : null));
}

function Totp(props: { id: string; tick: number; onCopy?: (code: string) => void }) {
  const [code, setCode] = useState<{ code: string; until: number } | null>(null);
  const [, setNow] = useState(0);
  const fetching = useRef(false);
  const fetchCode = () => {
    if (fetching.current) return;
    fetching.current = true;
    core.totp(props.id).then((r) => setCode({ code: r.code, until: Date.now() + r.seconds_left * 1000 }), () => setCode(null))
      .finally(() => { fetching.current = false; });
  };
  useEffect(fetchCode, [props.id, props.tick]);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  if (!code) return null;
  const left = Math.ceil((code.until - Date.now()) / 1000);
  if (left <= 0) fetchCode();
  // The countdown is a timer (read when asked, not every second).
  return h('span', { class: 'totp' }, h('code', { id: 'totp-code' }, code.code),
    h('span', { class: 'muted', role: 'timer', 'aria-label': `${Math.max(left, 0)} seconds left` }, ` ${Math.max(left, 0)} s`),
    props.onCopy ? h('button', { type: 'button', class: 'small', 'aria-label': 'Copy one-time code', onClick: () => props.onCopy?.(code.code) }, 'Copy') : null);
}

function saveBytes(name: string, data: Uint8Array) {
  // Opaque bytes: the browser adds no extension of its own guessing.
  const url = URL.createObjectURL(new Blob([data as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function size(n: number): string {
  return n < 1024 ? `${n} bytes` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / (1 << 20)).toFixed(1)} MiB`;
}

// Attachments: upload with progress, download verified by the client core.
function Attachments(props: { item: Item; onChanged: () => void; setNote: (s: string) => void; readOnly?: boolean }) {
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState('');
  const files = props.item.content.files ?? [];
  const upload = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setError('');
    setProgress(0);
    try {
      await core.attach(props.item.id, '', file.name, new Uint8Array(await file.arrayBuffer()), (sent, total) => setProgress(total ? sent / total : 1));
      props.onChanged();
    } catch (err) {
      setError(message(err));
    } finally {
      setProgress(null);
      input.value = '';
    }
  };
  if (props.readOnly && files.length === 0) return null; // nothing to show, nothing to do
  return h('div', { class: 'attachments' },
    h('h3', null, 'Attachments'),
    files.length === 0 ? h('p', { class: 'muted' }, 'None.') : h('ul', { class: 'files' }, files.map((f) => h('li', { key: f.id },
      h('span', null, `${f.name} (${size(f.size)})`),
      h('button', { type: 'button', class: 'small', onClick: async () => {
        try { saveBytes(f.name, await core.download(props.item.id, f.id)); props.setNote(`Downloaded ${f.name}; its hash checked out.`); } catch (err) { setError(message(err)); }
      } }, `Download ${f.name}`)))),
    props.readOnly ? null : h('label', { class: 'upload' }, 'Attach a file', h('input', { type: 'file', onChange: upload, disabled: progress !== null })),
    progress !== null ? h('progress', { max: 1, value: progress, 'aria-label': 'Upload progress' }) : null,
    h(ErrorLine, { error }));
}

const typeNames: Record<string, string> = { login: 'Login', note: 'Secure note', secret: 'API secret', card: 'Card', file: 'File' };

function ItemView(props: { id: string; tick: number; onClose: () => void; onEdit: (it: Item) => void; onHistory: () => void; onChanged: () => void }) {
  const [item, setItem] = useState<Item | null>(null);
  const [reveal, setReveal] = useState(false);
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const [sharing, setSharing] = useState(false);
  useEffect(() => { core.get(props.id).then(setItem, (e) => setError(message(e))); }, [props.id, props.tick]);
  if (error) return h(ErrorLine, { error });
  if (!item) return h('p', { class: 'muted' }, 'Opening…');
  const c = item.content;
  const readOnly = item.permission === 'view';
  const row = (label: string, value: string | undefined, secret = false): ComponentChild =>
    value ? h('div', { class: 'row' }, h('dt', null, label),
      // A hidden value is read as "hidden", not as eight bullets.
      h('dd', null, secret && !reveal ? h('span', { class: 'masked' }, h('span', { 'aria-hidden': 'true' }, '••••••••'), h('span', { class: 'sr-only' }, 'hidden')) : h('span', null, value),
        h('button', { type: 'button', class: 'small', 'aria-label': `Copy ${label}`, onClick: () => copy(value, setNote) }, 'Copy'))) : null;
  const meta = (label: string, value: string | undefined): ComponentChild =>
    value ? h('div', { class: 'row' }, h('dt', null, label), h('dd', null, value)) : null;
  return h('section', { class: 'card item', 'aria-labelledby': 'item-title' },
    h('header', null, h('h2', { id: 'item-title' }, c.name), h('button', { type: 'button', class: 'link', onClick: props.onClose, 'aria-label': 'Close' }, 'Close')),
    h('dl', null,
      meta('Vault', item.vault), meta('Type', typeNames[item.type] ?? item.type), row('Username', c.login?.username), row('Password', c.login?.password, true),
      ...(c.login?.urls ?? []).map((u, i) => row(i === 0 ? 'URL' : `URL ${i + 1}`, u)),
      c.login?.totp ? h('div', { class: 'row' }, h('dt', null, 'One-time code'), h('dd', null, h(Totp, { id: item.id, tick: props.tick, onCopy: (v: string) => copy(v, setNote) }))) : null,
      row('Card holder', c.card?.holder), row('Card number', c.card?.number, true), row('Expiry', c.card?.expiry), row('CVV', c.card?.cvv, true),
      ...Object.entries(c.secret ?? {}).sort().map(([k, v]) => row(k, v, true)),
      row('Notes', c.notes), meta('Tags', (c.tags ?? []).join(', ')), c.favorite ? meta('Favourite', 'yes') : null, meta('Revision', String(item.revision))),
    h(Attachments, { item, onChanged: props.onChanged, setNote, readOnly }),
    // A view-only item has no edit controls; the server and the client
    // core refuse a write all the same, and say so.
    readOnly ? h('p', { class: 'muted view-only' }, `View only: you can read and copy this item. Whoever manages ${item.vault} can change it.`) : null,
    note ? h('p', { class: 'muted', role: 'status' }, note) : null,
    h('div', { class: 'actions wrap' },
      h('button', { type: 'button', onClick: () => setReveal(!reveal), 'aria-pressed': reveal }, reveal ? 'Hide secrets' : 'Reveal secrets'),
      readOnly ? null : h('button', { type: 'button', onClick: () => props.onEdit(item) }, 'Edit'),
      h('button', { type: 'button', onClick: props.onHistory }, 'History'),
      readOnly ? null : h('button', { type: 'button', 'aria-expanded': sharing, onClick: () => setSharing(!sharing) }, 'Share or move'),
      readOnly ? null : h('button', { type: 'button', onClick: async () => { try { await core.trash(item.id); props.onChanged(); props.onClose(); } catch (e) { setError(message(e)); } } }, 'Move to trash')),
    sharing ? h(ShareMove, { item, onDone: (n: string) => { setNote(n); setSharing(false); props.onChanged(); } }) : null);
}

// Generator makes a password (length and character sets) or a
// passphrase (number of words) with the client core's generator.
function Generator(props: { onUse: (v: string) => void }) {
  const [length, setLength] = useState(20);
  const [words, setWords] = useState(0);
  const [upper, setUpper] = useState(true);
  const [digits, setDigits] = useState(true);
  const [symbols, setSymbols] = useState(true);
  const [value, setValue] = useState('');
  const [error, setError] = useState('');
  const make = () => core.generate(words ? { words, separator: '-' } : { length, no_upper: !upper, no_digits: !digits, no_symbols: !symbols })
    .then((r) => { setValue(r.value); setError(''); }, (e) => setError(message(e)));
  useEffect(() => { void make(); }, [length, words, upper, digits, symbols]);
  const box = (label: string, on: boolean, set: (v: boolean) => void) =>
    h('label', null, h('input', { type: 'checkbox', checked: on, disabled: words > 0, onChange: () => set(!on) }), ` ${label}`);
  return h('div', { class: 'generator' },
    h('div', { class: 'actions wrap' },
      h('label', null, h('input', { type: 'checkbox', checked: words > 0, onChange: () => setWords(words ? 0 : 6) }), ' Passphrase'),
      words > 0
        ? [h('label', { for: 'gen-words' }, 'Words'),
          h('input', { id: 'gen-words', type: 'number', min: 4, max: 20, value: words, onInput: (e: Event) => setWords(Math.min(20, Math.max(4, Number((e.target as HTMLInputElement).value) || 6))) })]
        : [h('label', { for: 'gen-length' }, 'Length'),
          h('input', { id: 'gen-length', type: 'number', min: 8, max: 128, value: length, onInput: (e: Event) => setLength(Number((e.target as HTMLInputElement).value) || 20) }),
          box('A–Z', upper, setUpper), box('0–9', digits, setDigits), box('Symbols', symbols, setSymbols)]),
    h('code', { id: 'generated', 'aria-live': 'polite' }, value),
    h(ErrorLine, { error }),
    h('div', { class: 'actions' }, h('button', { type: 'button', onClick: () => void make() }, 'Again'), h('button', { type: 'button', class: 'primary', disabled: !value, onClick: () => props.onUse(value) }, 'Use it')));
}

function Editor(props: { item?: Item; onDone: (id: string) => void; onCancel: () => void }) {
  const orig = props.item?.content;
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
    setBusy(true);
    try {
      if (type === 'file' && !props.item) {
        if (!file) throw new Error('Choose a file.');
        setProgress(0);
        props.onDone((await core.attach('', name, file.name, new Uint8Array(await file.arrayBuffer()), (sent, total) => setProgress(total ? sent / total : 1))).id);
        return;
      }
      props.onDone(props.item ? (await core.update(props.item.id, c, props.item.revision)).id : (await core.create(type, c)).id);
    } catch (err) {
      if (err instanceof CoreError && err.kind === 'conflict' && props.item) {
        setConflict({ theirs: await core.get(props.item.id), mine: c });
      }
      setError(message(err));
    } finally {
      setBusy(false);
      setProgress(null);
    }
  };
  if (conflict) {
    const flat = (c: Content) => [
      ['Name', c.name], ['Username', c.login?.username], ['Password', c.login?.password ? '••••••••' : ''], ['URLs', (c.login?.urls ?? []).join(', ')],
      ['Notes', c.notes], ['Tags', (c.tags ?? []).join(', ')], ...Object.keys(c.secret ?? {}).map((k) => [k, '••••••••']),
    ].filter(([, v]) => v) as [string, string][];
    const table = (title: string, c: Content) => h('div', { class: 'side' }, h('h3', null, title),
      h('dl', null, flat(c).map(([k, v]) => h('div', { class: 'row' }, h('dt', null, k), h('dd', null, v)))));
    return h('section', { class: 'card conflict', role: 'alertdialog', 'aria-labelledby': 'conflict-title' },
      h('h2', { id: 'conflict-title' }, 'Someone else saved first'),
      h('p', null, `${conflict.theirs.content.name} is at revision ${conflict.theirs.revision} now; you edited revision ${props.item?.revision}. Choose which to keep — the other stays in the history.`),
      h('div', { class: 'sides' }, table(`Theirs (revision ${conflict.theirs.revision})`, conflict.theirs.content), table('Yours', conflict.mine)),
      h(ErrorLine, { error: error && !error.startsWith('Someone else') ? error : '' }),
      h('div', { class: 'actions wrap' },
        h('button', { type: 'button', onClick: () => props.onDone(conflict.theirs.id) }, 'Keep theirs'),
        h('button', { type: 'button', class: 'primary', onClick: async () => {
          try { props.onDone((await core.update(conflict.theirs.id, conflict.mine, conflict.theirs.revision)).id); } catch (err) { setError(message(err)); }
        } }, 'Save mine over theirs')));
  }
  const cardField = (key: keyof typeof card, label: string, t = 'text') =>
    h(Field, { label, id: `card-${key}`, type: t, value: card[key] ?? '', onInput: (v) => setCard({ ...card, [key]: v }) });
  return h('form', { class: 'card editor', onSubmit: submit, 'aria-labelledby': 'edit-title' },
    h('h2', { id: 'edit-title' }, props.item ? `Edit ${orig?.name}` : 'New item'),
    props.item ? null : h('div', { class: 'field' }, h('label', { for: 'type' }, 'Type'),
      h('select', { id: 'type', value: type, onChange: (e: Event) => setType((e.target as HTMLSelectElement).value) },
        h('option', { value: 'login' }, 'Login'), h('option', { value: 'note' }, 'Secure note'),
        h('option', { value: 'secret' }, 'API secret'), h('option', { value: 'card' }, 'Card'), h('option', { value: 'file' }, 'File'))),
    h(Field, { label: 'Name', id: 'item-name', value: name, onInput: setName, required: true, autofocus: !props.item }),
    type === 'login' ? [
      h(Field, { label: 'Username', id: 'item-username', value: username, onInput: setUsername, autocomplete: 'off' }),
      h(Field, { label: 'Password', id: 'item-password', type: 'password', value: password, onInput: setPassword, autocomplete: 'new-password' }),
      h('button', { type: 'button', class: 'link', onClick: () => setGen(!gen), 'aria-expanded': gen }, gen ? 'Close the generator' : 'Generate a password'),
      gen ? h(Generator, { onUse: (v) => { setPassword(v); setGen(false); } }) : null,
      ...urls.map((u, i) => h('div', { class: 'inline' },
        h(Field, { label: i === 0 ? 'URL' : `URL ${i + 1}`, id: `item-url-${i}`, type: 'url', value: u, onInput: (v) => setUrls(urls.map((x, j) => (j === i ? v : x))) }),
        urls.length > 1 ? h('button', { type: 'button', class: 'small', 'aria-label': `Remove URL ${i + 1}`, onClick: () => setUrls(urls.filter((_, j) => j !== i)) }, 'Remove') : null)),
      h('button', { type: 'button', class: 'link', onClick: () => setUrls([...urls, '']) }, 'Add another URL'),
      h(Field, { label: 'TOTP secret (otpauth:// or base32)', id: 'item-totp', value: totp, onInput: setTotp, autocomplete: 'off' }),
    ] : null,
    type === 'file' && !props.item ? h('div', { class: 'field' }, h('label', { for: 'item-file' }, 'File'),
      h('input', { id: 'item-file', type: 'file', required: true, onChange: (e: Event) => { const f = (e.target as HTMLInputElement).files?.[0] ?? null; setFile(f); if (f && !name) setName(f.name); } })) : null,
    progress !== null ? h('progress', { max: 1, value: progress, 'aria-label': 'Upload progress' }) : null,
    type === 'card' ? [cardField('holder', 'Card holder'), cardField('number', 'Card number'), cardField('expiry', 'Expiry (MM/YY)'), cardField('cvv', 'CVV', 'password')] : null,
    type === 'secret' ? [
      ...fields.map(([k, v], i) => h('div', { class: 'inline' },
        h(Field, { label: 'Key', id: `secret-key-${i}`, value: k, onInput: (x) => setFields(fields.map((f, j) => (j === i ? [x, f[1]] : f))) }),
        h(Field, { label: 'Value', id: `secret-value-${i}`, type: 'password', value: v, onInput: (x) => setFields(fields.map((f, j) => (j === i ? [f[0], x] : f))) }))),
      h('button', { type: 'button', class: 'link', onClick: () => setFields([...fields, ['', '']]) }, 'Add a key'),
    ] : null,
    h('div', { class: 'field' }, h('label', { for: 'item-notes' }, 'Notes'),
      h('textarea', { id: 'item-notes', value: notes, onInput: (e: Event) => setNotes((e.target as HTMLTextAreaElement).value) })),
    h(Field, { label: 'Tags (comma-separated)', id: 'item-tags', value: tags, onInput: setTags }),
    h('label', null, h('input', { type: 'checkbox', checked: favorite, onChange: () => setFavorite(!favorite) }), ' Favourite'),
    h(ErrorLine, { error }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', disabled: busy }, 'Save'), h('button', { type: 'button', onClick: props.onCancel }, 'Cancel')));
}

function describe(v: Version): string {
  const c = v.change;
  if (!c) return '';
  if (c.op === 'rollback') return `rolled back to revision ${c.revision}`;
  if (c.op === 'restore-field') return `${c.field} restored from revision ${c.revision}`;
  if (c.op === 'move') return `moved here from ${v.from_vault ?? 'another vault'}`;
  return c.op;
}

function HistoryView(props: { id: string; tick: number; onClose: () => void; onChanged: () => void }) {
  const [versions, setVersions] = useState<Version[] | null>(null);
  const [reveal, setReveal] = useState(false);
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const [readOnly, setReadOnly] = useState(true); // until the item says otherwise
  useEffect(() => {
    core.history(props.id).then(setVersions, (e) => setError(message(e)));
    core.get(props.id).then((it) => setReadOnly(it.permission === 'view'), () => undefined);
  }, [props.id, props.tick]);
  if (error) return h(ErrorLine, { error });
  if (!versions) return h('p', { class: 'muted' }, 'Opening the history…');
  const act = async (p: Promise<unknown>) => { try { await p; props.onChanged(); } catch (e) { setError(message(e)); } };
  const show = (v: Value | undefined) => (!v ? '—' : v.secret && !reveal ? '••••••••' : v.value);
  return h('section', { class: 'card history', 'aria-labelledby': 'history-title' },
    h('header', null, h('h2', { id: 'history-title' }, 'History'), h('button', { type: 'button', class: 'link', onClick: props.onClose }, 'Close')),
    h('button', { type: 'button', onClick: () => setReveal(!reveal), 'aria-pressed': reveal }, reveal ? 'Hide secrets' : 'Reveal secrets'),
    note ? h('p', { class: 'muted', role: 'status' }, note) : null,
    h('ol', { class: 'revisions', reversed: true }, [...versions].reverse().map((v) => {
      const prev = versions[v.revision - 2];
      const names = new Set([...v.values.map((x) => x.name), ...(prev?.values ?? []).map((x) => x.name)]);
      const changed = [...names].sort().filter((n) => prev && (prev.values.find((x) => x.name === n)?.value ?? '') !== (v.values.find((x) => x.name === n)?.value ?? ''));
      return h('li', { key: v.revision, class: 'revision', 'data-revision': String(v.revision) },
        h('div', { class: 'rev-head' }, h('strong', null, `Revision ${v.revision}`), h('span', { class: 'muted' }, ` · ${v.author} · ${new Date(v.time).toLocaleString()}`),
          describe(v) ? h('em', null, ` (${describe(v)})`) : null),
        h('ul', { class: 'changes' }, changed.map((n) => {
          const old = prev!.values.find((x) => x.name === n);
          const cur = v.values.find((x) => x.name === n);
          return h('li', { key: n }, h('span', { class: 'fname' }, n), ': ', h('span', { class: 'old' }, show(old)), ' → ', h('span', null, show(cur)),
            old ? h('button', { type: 'button', class: 'small', 'aria-label': `Copy the old ${n} (revision ${v.revision - 1})`, onClick: () => copy(old.value, setNote) }, 'Copy old value') : null,
            readOnly ? null : h('button', { type: 'button', class: 'small', onClick: () => act(core.restoreField(props.id, n, v.revision - 1)) }, `Restore ${n} from revision ${v.revision - 1}`));
        })),
        v.revision < versions.length && !readOnly ? h('button', { type: 'button', class: 'small', onClick: () => act(core.rollback(props.id, v.revision)) }, `Roll back to revision ${v.revision}`) : null);
    })));
}

function TrashView(props: { tick: number; onChanged: () => void }) {
  const [items, setItems] = useState<Summary[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => { core.trashed().then(setItems, (e) => setError(message(e))); }, [props.tick]);
  const act = async (p: Promise<unknown>) => { try { await p; props.onChanged(); } catch (e) { setError(message(e)); } };
  return h('section', { class: 'card', 'aria-labelledby': 'trash-title' },
    h('h2', { id: 'trash-title' }, 'Trash'),
    h(ErrorLine, { error }),
    !items ? h('p', { class: 'muted' }, 'Opening…') : items.length === 0 ? h('p', { class: 'muted' }, 'The trash is empty.') :
      h('ul', { class: 'list' }, items.map((it) => h('li', { key: it.id, class: 'trashed' },
        h('span', { class: 'name' }, it.name),
        h('div', { class: 'actions' },
          h('button', { type: 'button', onClick: () => act(core.restore(it.id)) }, `Restore ${it.name}`),
          h('button', { type: 'button', onClick: () => { if (confirm(`Delete "${it.name}" for good? This cannot be undone.`)) void act(core.purge(it.id)); }, 'aria-label': `Delete ${it.name} for good` }, 'Delete for good'))))));
}

const IDLE_KEY = 'coffer.idleMinutes';

export function idleMinutes(): number {
  const v = Number(localStorage.getItem(IDLE_KEY) ?? '15');
  return Number.isFinite(v) && v >= 0 ? v : 15;
}

function AccountView(props: { onLogout: () => void }) {
  const [acct, setAcct] = useState<Account | null>(null);
  const [sessions, setSessions] = useState<SessionInfo[]>([]);
  const [cur, setCur] = useState('');
  const [next, setNext] = useState('');
  const [next2, setNext2] = useState('');
  const [revoke, setRevoke] = useState(true);
  const [idle, setIdle] = useState(idleMinutes());
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const [recovery, setRecovery] = useState<Recovery | null>(null);
  const [history, setHistory] = useState<Notice[]>([]);
  const load = async () => {
    await core.sync().catch(() => undefined); // organisations joined meanwhile
    core.account().then(setAcct, (e) => setError(message(e)));
    core.sessions().then(setSessions, (e) => setError(message(e)));
    core.recovery().then(setRecovery, (e) => setError(message(e)));
    core.notices().then(setHistory, (e) => setError(message(e)));
  };
  useEffect(() => { void load(); }, []);
  const change = async (e: Event) => {
    e.preventDefault();
    setError(''); setNote('');
    if (next !== next2) { setError('The two new passwords differ.'); return; }
    try {
      const r = await core.password(cur, next, revoke);
      setCur(''); setNext(''); setNext2('');
      setNote(`Master password changed.${revoke ? ` ${r.revoked_sessions} other session(s) were signed out.` : ''} Every device unlocks with the new one from now on.`);
      void load();
    } catch (err) { setError(message(err)); }
  };
  const st = strength(next);
  return h('section', { class: 'card account', 'aria-labelledby': 'account-title' },
    h('h2', { id: 'account-title' }, 'Account'),
    acct ? h('dl', null,
      h('div', { class: 'row' }, h('dt', null, 'E-mail'), h('dd', null, acct.email)),
      h('div', { class: 'row' }, h('dt', null, 'Name'), h('dd', null, acct.name)),
      h('div', { class: 'row' }, h('dt', null, 'Key fingerprint'), h('dd', null, h('code', { id: 'fingerprint' }, acct.fingerprint))),
      h('div', { class: 'row' }, h('dt', null, 'Argon2id'), h('dd', null, `t=${acct.kdf.time}, ${acct.kdf.memory_kib / 1024} MiB, p=${acct.kdf.threads}`))) : null,
    h('p', { class: 'muted' }, 'Compare the fingerprint with what others see for you (coffer fingerprint in the CLI) over a channel you trust.'),
    h('form', { class: 'stack', onSubmit: change, 'aria-labelledby': 'pw-title' },
      h('h3', { id: 'pw-title' }, 'Change the master password'),
      h(Field, { label: 'Current master password', id: 'pw-current', type: 'password', value: cur, onInput: setCur, autocomplete: 'current-password', required: true }),
      h(Field, { label: 'New master password', id: 'pw-new', type: 'password', value: next, onInput: setNext, autocomplete: 'new-password', required: true }),
      next ? h('span', { class: 'muted' }, st.label) : null,
      h(Field, { label: 'New master password again', id: 'pw-new2', type: 'password', value: next2, onInput: setNext2, autocomplete: 'new-password', required: true }),
      h('label', null, h('input', { type: 'checkbox', checked: revoke, onChange: () => setRevoke(!revoke) }), ' Sign out every other session'),
      h('button', { type: 'submit', class: 'primary' }, 'Change the master password')),
    note ? h('p', { role: 'status' }, note) : null,
    h(ErrorLine, { error }),
    acct ? h(KDFForm, { key: JSON.stringify(acct.kdf), current: acct.kdf, onDone: (a: Account) => { setAcct(a); setNote(`Argon2id is now t=${a.kdf.time}, ${a.kdf.memory_kib / 1024} MiB, p=${a.kdf.threads}: every device unlocks with these from now on.`); } }) : null,
    h('h3', null, 'Account recovery'),
    !recovery || recovery.orgs.length === 0 ? h('p', { class: 'muted' }, 'None of your organisations offers account recovery.') :
      h('ul', { class: 'list' }, recovery.orgs.map((o) => h('li', { key: o.id, class: 'trashed' },
        h('span', null, `${o.name} (owner ${o.owner}): `, o.enrolled ? h('strong', null, 'enrolled') : 'not enrolled'),
        h('button', { type: 'button', class: 'small', onClick: async () => {
          try {
            if (o.enrolled) await core.leave(o.id);
            else if (confirm(`Let the owner of ${o.name} (${o.owner}) approve a new master password for you if you forget yours? They could then open everything you can. You can leave again at any time.`)) await core.enrol(o.id);
            void load();
          } catch (e) { setError(message(e)); }
        } }, o.enrolled ? `Leave ${o.name}'s recovery` : `Enrol in ${o.name}'s recovery`)))),
    recovery && recovery.requests.length > 0 ? h('p', { class: 'error', role: 'alert' },
      `${recovery.requests.length} recovery request(s) exist for your account${recovery.requests.some((r) => r.granted) ? ', one approved' : ''}. If you did not ask, void them with coffer account recovery cancel and tell your owner.`) : null,
    history.length > 0 ? h('h4', null, 'Recoveries of this account') : null,
    history.length > 0 ? h('ul', { class: 'list recoveries' }, history.map((n) => h('li', { key: n.id },
      h('span', null, n.text), ' ',
      h('span', { class: 'muted' }, n.seen ? `Acknowledged ${new Date(n.seen_at ?? '').toLocaleString()}.` : 'Not acknowledged yet.')))) : null,
    h('h3', null, 'Lock after inactivity'),
    h('div', { class: 'field' }, h('label', { for: 'idle' }, 'Lock this tab after'),
      h('select', { id: 'idle', value: String(idle), onChange: (e: Event) => { const v = Number((e.target as HTMLSelectElement).value); localStorage.setItem(IDLE_KEY, String(v)); setIdle(v); } },
        [[1, '1 minute'], [5, '5 minutes'], [15, '15 minutes'], [60, '1 hour'], [0, 'never (until the tab closes)']].map(([v, l]) => h('option', { value: String(v) }, l)))),
    h('h3', null, 'Sessions'),
    h('ul', { class: 'list sessions' }, sessions.filter((x) => !x.revoked && new Date(x.expires_at) > new Date()).map((x) => h('li', { key: x.id, class: 'trashed' },
      h('span', null, `${x.description || 'unnamed device'} · ${x.client_addr} · since ${new Date(x.created_at).toLocaleString()}`, x.current ? h('strong', null, ' (this one)') : null),
      x.current ? null : h('button', { type: 'button', class: 'small', 'aria-label': `Sign out ${x.description || 'unnamed device'} (${x.client_addr})`, onClick: async () => { try { await core.endSession(x.id); void load(); } catch (e) { setError(message(e)); } } }, 'Sign out')))),
    h('button', { type: 'button', onClick: async () => { await core.logout(); props.onLogout(); } }, 'Log out of this browser'));
}

// KDFForm raises the Argon2id parameters of the master password: every
// unlock (and every guess of an attacker holding the server's data) then
// costs more. Parameters only go up; "Time it" measures an unlock with
// them in this browser first.
function KDFForm(props: { current: KDF; onDone: (a: Account) => void }) {
  const [time, setTime] = useState(String(props.current.time));
  const [mib, setMib] = useState(String(props.current.memory_kib / 1024));
  const [threads, setThreads] = useState(String(props.current.threads));
  const [pw, setPw] = useState('');
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const chosen = (): KDF => ({ time: Number(time), memory_kib: Math.round(Number(mib) * 1024), threads: Number(threads) });
  const run = async (what: () => Promise<void>) => {
    setError(''); setNote(''); setBusy(true);
    try { await what(); } catch (err) { setError(message(err)); } finally { setBusy(false); }
  };
  const measure = () => run(async () => {
    const t = await core.kdfTime(chosen());
    setNote(`With these parameters an unlock takes about ${(t.ms / 1000).toFixed(1)} s in this browser.`);
  });
  const raise = (e: Event) => {
    e.preventDefault();
    const k = chosen(), c = props.current;
    if (k.time === c.time && k.memory_kib === c.memory_kib && k.threads === c.threads) { setError('Raise at least one of the three.'); return; }
    if (k.time < c.time || k.memory_kib < c.memory_kib || k.threads < c.threads) { setError(`The parameters can only be raised (now t=${c.time}, ${c.memory_kib / 1024} MiB, p=${c.threads}).`); return; }
    void run(async () => {
      const a = await core.kdf(pw, k);
      setPw('');
      props.onDone(a);
    });
  };
  const num = (label: string, id: string, value: string, set: (v: string) => void, min: number, hint: string) =>
    h('div', { class: 'field' }, h('label', { for: id }, label),
      h('input', { id, type: 'number', inputMode: 'numeric', min, value, 'aria-describedby': `${id}-hint`, onInput: (e: Event) => set((e.target as HTMLInputElement).value) }),
      h('span', { id: `${id}-hint`, class: 'muted' }, hint));
  return h('form', { class: 'stack', onSubmit: raise, 'aria-labelledby': 'kdf-title' },
    h('h3', { id: 'kdf-title' }, 'Make the master password harder to guess'),
    h('p', { class: 'muted' }, 'Argon2id turns your master password into keys. Higher values make every unlock slower on every device — and every guess slower for anyone who steals the server\'s data.'),
    num('Passes (t)', 'kdf-time', time, setTime, props.current.time, `now ${props.current.time}`),
    num('Memory (MiB)', 'kdf-memory', mib, setMib, props.current.memory_kib / 1024, `now ${props.current.memory_kib / 1024} MiB`),
    num('Threads (p)', 'kdf-threads', threads, setThreads, props.current.threads, `now ${props.current.threads}`),
    h(Field, { label: 'Master password', id: 'kdf-pw', type: 'password', value: pw, onInput: setPw, autocomplete: 'current-password', required: true }),
    h('div', { class: 'actions' },
      h('button', { type: 'button', onClick: measure, disabled: busy }, 'Time it'),
      h('button', { type: 'submit', class: 'primary', disabled: busy }, busy ? 'Working…' : 'Raise the parameters')),
    note ? h('p', { role: 'status' }, note) : null,
    h(ErrorLine, { error }));
}

const LIST_LIMIT = 200;

// listShown: the panes next to which the item list stays; a vault or a
// filter chosen from the others goes back to the list.
function listShown(p: Pane): boolean {
  return p.kind !== 'trash' && p.kind !== 'orgs' && p.kind !== 'join';
}

// breakable lets ORG/VAULT wrap after the slash, not inside a word.
function breakable(label: string): ComponentChild {
  const i = label.indexOf('/');
  return i < 0 ? label : [label.slice(0, i + 1), h('wbr', null), label.slice(i + 1)];
}

// NoticeBanner shows one notice of the account (a recovery through an
// organisation) at the log-in or unlock that found it, in the client
// core's words, until the account acknowledges it.
function NoticeBanner(props: { notice: Notice; onRead: () => void }) {
  const [error, setError] = useState('');
  const n = props.notice;
  return h('section', { class: 'banner notice', role: 'alert', 'aria-labelledby': `notice-${n.id}` },
    h('h2', { id: `notice-${n.id}` }, n.title),
    h('p', null, n.text),
    h('p', null, n.advice),
    h(ErrorLine, { error }),
    h('button', { type: 'button', onClick: async () => { try { await core.ackNotice(n.id); props.onRead(); } catch (e) { setError(message(e)); } } }, 'I have read this'));
}

type Pane = { kind: 'none' } | { kind: 'account' } | { kind: 'orgs' } | { kind: 'join'; org: string } | { kind: 'item'; id: string } | { kind: 'edit'; item?: Item } | { kind: 'history'; id: string } | { kind: 'trash' };

function Passwords(props: { status: Status; join?: string; onLock: () => void; onLogout: () => void }) {
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState('all');
  const [vault, setVault] = useState('');
  const [vaults, setVaults] = useState<VaultInfo[]>([]);
  const [items, setItems] = useState<Summary[]>([]);
  const [pane, setPane] = useState<Pane>(props.join !== undefined ? { kind: 'join', org: props.join } : { kind: 'none' });
  const [tick, setTick] = useState(0);
  const [error, setError] = useState('');
  const [banner, setBanner] = useState('');
  const [quarantined, setQuarantined] = useState<string[]>([]);
  // What the log-in or unlock found that the account must be told.
  const [notices, setNotices] = useState<Notice[]>(props.status.notices ?? []);
  // Signatures a log-in left to check in the background (§16.7).
  const [checking, setChecking] = useState(0);
  const refresh = () => {
    core.quarantined().then(setQuarantined, () => undefined);
    core.status().then((st) => setChecking(Number(st.checking ?? 0)), () => undefined);
    return core.list(query, vault).then(setItems, (e) => setError(message(e)));
  };
  useEffect(() => { void refresh(); }, [query, vault, tick]);
  useEffect(() => {
    core.vaults().then((vs) => setVaults(vs.sort((a, b) => (a.kind === 'personal' ? -1 : b.kind === 'personal' ? 1 : a.label.localeCompare(b.label)))), () => undefined);
  }, [tick]);
  // Lock after the chosen idle time (the keys go with the session).
  useEffect(() => {
    // The setting is read at every arming, so a change applies at once.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      const minutes = idleMinutes();
      // Not while a modal is open (a code being read out on a call).
      if (minutes) timer = setTimeout(() => (document.querySelector('dialog[open]') ? arm() : void lock()), minutes * 60000);
    };
    arm();
    const events = ['pointerdown', 'keydown', 'wheel', 'touchstart'];
    events.forEach((e) => window.addEventListener(e, arm, { passive: true }));
    return () => { clearTimeout(timer); events.forEach((e) => window.removeEventListener(e, arm)); };
  }, []);
  useEffect(() => {
    void core.watch((c) => {
      if (c.kind === 'error') {
        setBanner(c.error === 'tampered' ? `Tampering detected: ${c.text}` : `Live updates stopped: ${c.text}`);
        return;
      }
      setTick((t) => t + 1);
    });
  }, []);
  const changed = () => setTick((t) => t + 1);
  async function lock() { await core.lock(); props.onLock(); }
  // Server unreachable: a banner, and a retry every 2 s until a sync
  // works again; nothing on screen is thrown away meanwhile.
  const [offline, setOffline] = useState(false);
  useEffect(() => {
    const on = () => setOffline(true);
    window.addEventListener('coffer-offline', on);
    return () => window.removeEventListener('coffer-offline', on);
  }, []);
  useEffect(() => {
    if (!offline) return;
    const t = setInterval(() => { core.sync().then(() => { setOffline(false); changed(); }, () => undefined); }, 2000);
    return () => clearInterval(t);
  }, [offline]);
  const shown = items.filter((it) => filter === 'all' || (filter === 'favorites' ? it.favorite : it.type === filter));
  const filters: [string, string][] = [['all', 'All items'], ['favorites', 'Favourites'], ['login', 'Logins'], ['note', 'Notes'], ['secret', 'API secrets'], ['card', 'Cards']];
  return h('div', { class: 'layout' },
    h('header', { class: 'top' },
      h('h1', null, 'Passwords'),
      h('span', { class: 'muted who' }, props.status.email ?? ''),
      h('button', { type: 'button', 'aria-pressed': pane.kind === 'orgs', onClick: () => setPane({ kind: 'orgs' }) }, 'Organisations'),
      h('button', { type: 'button', onClick: () => setPane({ kind: 'account' }) }, 'Account'),
      h('button', { type: 'button', onClick: lock }, 'Lock')),
    ...notices.map((n) => h(NoticeBanner, { key: n.id, notice: n, onRead: () => setNotices((ns) => ns.filter((x) => x.id !== n.id)) })),
    banner ? h('p', { class: 'error banner tamper', role: 'alert' }, banner) : null,
    // Data that failed verification is not shown; what it was is said.
    ...quarantined.map((q) => h('p', { class: 'error banner tamper', role: 'alert' }, `Tampering detected — not shown: ${q}`)),
    offline ? h('p', { class: 'banner offline', role: 'status' }, 'The server cannot be reached; retrying every 2 seconds. Nothing is lost.') : null,
    h('div', { class: 'tools' },
      h('label', { for: 'search', class: 'sr-only' }, 'Search'),
      h('input', { id: 'search', type: 'search', placeholder: 'Search', value: query, onInput: (e: Event) => setQuery((e.target as HTMLInputElement).value) }),
      h('button', { type: 'button', class: 'primary', onClick: () => setPane({ kind: 'edit' }) }, 'New item')),
    h('nav', { class: 'filters', 'aria-label': 'Filters' },
      filters.map(([k, label]) => h('button', { type: 'button', class: filter === k && pane.kind !== 'trash' ? 'chip on' : 'chip', 'aria-pressed': filter === k, onClick: () => { setFilter(k); if (!listShown(pane)) setPane({ kind: 'none' }); } }, label)),
      h('button', { type: 'button', class: pane.kind === 'trash' ? 'chip on' : 'chip', 'aria-pressed': pane.kind === 'trash', onClick: () => setPane({ kind: 'trash' }) }, 'Trash')),
    h(ErrorLine, { error }),
    // Organisations and the Join page take the list's room as well.
    h('div', { class: pane.kind === 'orgs' || pane.kind === 'join' ? 'panes wide' : 'panes' },
      h('nav', { class: 'vaults', 'aria-label': 'Vaults' },
        h('h2', { class: 'sr-only' }, 'Vaults'),
        [{ id: '', label: 'All vaults' }, ...vaults].map((v) => h('button', { type: 'button', key: v.id, class: vault === v.id ? 'vault on' : 'vault', 'aria-pressed': vault === v.id, onClick: () => { setVault(v.id); if (!listShown(pane)) setPane({ kind: 'none' }); } }, breakable(v.label)))),
      h('ul', { class: 'list', 'aria-label': 'Items' }, shown.length === 0 ? h('li', { class: 'muted' }, query ? 'Nothing matches.' : 'No items here.') : null,
        // A person reads a few hundred names at most; the rest come with a
        // search, which stays instant at any size.
        shown.length > LIST_LIMIT ? h('li', { class: 'muted count' }, `${shown.length.toLocaleString()} items; the first ${LIST_LIMIT} are shown — search to find the others.${checking ? ' Checking signatures…' : ''}`) : null,
        shown.slice(0, LIST_LIMIT).map((it) => h('li', { key: it.id },
          h('button', { type: 'button', class: pane.kind === 'item' && pane.id === it.id ? 'entry selected' : 'entry', 'aria-current': pane.kind === 'item' && pane.id === it.id ? 'true' : undefined, onClick: () => setPane({ kind: 'item', id: it.id }) },
            h('span', { class: 'name' }, it.name), h('span', { class: 'sub' }, [it.username, it.vault].filter(Boolean).join(' · ')))))),
      h('div', { class: 'detail' },
        pane.kind === 'edit' ? h(Editor, { item: pane.item, onDone: (id) => { changed(); setPane({ kind: 'item', id }); }, onCancel: () => setPane(pane.item ? { kind: 'item', id: pane.item.id } : { kind: 'none' }) })
          : pane.kind === 'item' ? h(ItemView, { id: pane.id, tick, onClose: () => setPane({ kind: 'none' }), onEdit: (item) => setPane({ kind: 'edit', item }), onHistory: () => setPane({ kind: 'history', id: pane.id }), onChanged: changed })
          : pane.kind === 'history' ? h(HistoryView, { id: pane.id, tick, onClose: () => setPane({ kind: 'item', id: pane.id }), onChanged: changed })
          : pane.kind === 'trash' ? h(TrashView, { tick, onChanged: changed })
          : pane.kind === 'account' ? h(AccountView, { onLogout: props.onLogout })
          : pane.kind === 'orgs' ? h(OrgsView, { tick, mine: props.status.fingerprint ?? '', me: props.status.email ?? '', onChanged: changed })
          : pane.kind === 'join' ? h(JoinView, { org: pane.org, onDone: () => { history.replaceState(null, '', '/'); changed(); setPane({ kind: 'none' }); } })
          : h('p', { class: 'muted empty' }, items.length ? 'Choose an item to see it, or add one with New item.' : 'Add your first item with New item.'))));
}

function App() {
  const [status, setStatus] = useState<Status | null>(null);
  const [error, setError] = useState('');
  useEffect(() => { core.status().then(setStatus, (e) => setError(message(e))); }, []);
  if (error) return h(ErrorLine, { error });
  if (!status) return h('p', { class: 'loading' }, 'Loading Coffer…');
  // The Join link of an invitation e-mail: /join?org=…&invitation=…
  const join = location.pathname === '/join' ? new URLSearchParams(location.search).get('org') ?? '' : undefined;
  if (status.state !== 'unlocked') return h(Welcome, { status, invited: join !== undefined, onDone: setStatus });
  return h(Passwords, { status, join, onLock: () => setStatus({ ...status, state: 'locked' }), onLogout: () => setStatus({ state: 'none' }) });
}

export function mount(el: HTMLElement) {
  render(h(App, null), el);
}
