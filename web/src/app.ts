import { h, render, type ComponentChild } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { core, message, type Content, type Item, type Status, type Summary } from './core';
import { MIN_LENGTH, strength } from './strength';

// Everything from the server or an item is rendered as text by Preact;
// this file never sets HTML.

function Field(props: { label: string; id: string; type?: string; value: string; onInput: (v: string) => void; autocomplete?: string; required?: boolean }) {
  return h('div', { class: 'field' },
    h('label', { for: props.id }, props.label),
    h('input', {
      id: props.id, type: props.type ?? 'text', value: props.value, required: props.required,
      autocomplete: props.autocomplete, onInput: (e: Event) => props.onInput((e.target as HTMLInputElement).value),
    }));
}

function ErrorLine(props: { error: string }) {
  return props.error ? h('p', { class: 'error', role: 'alert' }, props.error) : null;
}

function Welcome(props: { status: Status; onDone: (s: Status) => void }) {
  const [mode, setMode] = useState<'unlock' | 'login' | 'signup'>(props.status.state === 'locked' ? 'unlock' : 'signup');
  const [email, setEmail] = useState(props.status.email ?? '');
  const [name, setName] = useState('');
  const [pw, setPw] = useState('');
  const [pw2, setPw2] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
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
      const s = mode === 'signup' ? await core.signup(email, name, pw) : mode === 'login' ? await core.login(email, pw) : await core.unlock(pw);
      props.onDone({ ...s, state: 'unlocked' });
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  const titles = { unlock: 'Unlock', login: 'Log in', signup: 'Create your account' };
  return h('form', { class: 'card', onSubmit: submit, 'aria-labelledby': 'welcome-title' },
    h('h1', { id: 'welcome-title' }, titles[mode]),
    mode === 'unlock' ? h('p', { class: 'muted' }, 'Locked as ', h('strong', null, props.status.email ?? '')) : null,
    mode !== 'unlock' ? h(Field, { label: 'E-mail', id: 'email', type: 'email', value: email, onInput: setEmail, autocomplete: 'username', required: true }) : null,
    mode === 'signup' ? h(Field, { label: 'Your name', id: 'name', value: name, onInput: setName, autocomplete: 'name', required: true }) : null,
    h(Field, { label: 'Master password', id: 'password', type: 'password', value: pw, onInput: setPw, autocomplete: mode === 'signup' ? 'new-password' : 'current-password', required: true }),
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

function ItemView(props: { id: string; onClose: () => void }) {
  const [item, setItem] = useState<Item | null>(null);
  const [reveal, setReveal] = useState(false);
  const [error, setError] = useState('');
  useEffect(() => { core.get(props.id).then(setItem, (e) => setError(message(e))); }, [props.id]);
  if (error) return h(ErrorLine, { error });
  if (!item) return h('p', { class: 'muted' }, 'Opening…');
  const c = item.content;
  const row = (label: string, value: string | undefined, secret = false): ComponentChild =>
    value ? h('div', { class: 'row' }, h('dt', null, label), h('dd', { class: secret && !reveal ? 'masked' : '' }, secret && !reveal ? '••••••••' : value)) : null;
  return h('section', { class: 'card item', 'aria-labelledby': 'item-title' },
    h('header', null, h('h2', { id: 'item-title' }, c.name), h('button', { type: 'button', class: 'link', onClick: props.onClose, 'aria-label': 'Close' }, 'Close')),
    h('dl', null,
      row('Vault', item.vault), row('Type', item.type), row('Username', c.login?.username), row('Password', c.login?.password, true),
      ...(c.login?.urls ?? []).map((u, i) => row(i === 0 ? 'URL' : `URL ${i + 1}`, u)),
      ...Object.entries(c.secret ?? {}).map(([k, v]) => row(k, v, true)),
      row('Notes', c.notes), row('Tags', (c.tags ?? []).join(', ')), row('Revision', String(item.revision))),
    h('button', { type: 'button', onClick: () => setReveal(!reveal), 'aria-pressed': reveal }, reveal ? 'Hide secrets' : 'Reveal secrets'));
}

function AddItem(props: { onDone: (id: string) => void; onCancel: () => void }) {
  const [type, setType] = useState('login');
  const [name, setName] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [url, setUrl] = useState('');
  const [notes, setNotes] = useState('');
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    const content: Content = { name, notes: notes || undefined };
    if (type === 'login') content.login = { username: username || undefined, password: password || undefined, urls: url ? [url] : undefined };
    try {
      props.onDone((await core.create(type, content)).id);
    } catch (err) {
      setError(message(err));
    }
  };
  return h('form', { class: 'card', onSubmit: submit, 'aria-labelledby': 'add-title' },
    h('h2', { id: 'add-title' }, 'New item'),
    h('div', { class: 'field' }, h('label', { for: 'type' }, 'Type'),
      h('select', { id: 'type', value: type, onChange: (e: Event) => setType((e.target as HTMLSelectElement).value) },
        h('option', { value: 'login' }, 'Login'), h('option', { value: 'note' }, 'Secure note'))),
    h(Field, { label: 'Name', id: 'item-name', value: name, onInput: setName, required: true }),
    type === 'login' ? [
      h(Field, { label: 'Username', id: 'item-username', value: username, onInput: setUsername, autocomplete: 'off' }),
      h(Field, { label: 'Password', id: 'item-password', type: 'password', value: password, onInput: setPassword, autocomplete: 'new-password' }),
      h(Field, { label: 'URL', id: 'item-url', type: 'url', value: url, onInput: setUrl }),
    ] : null,
    h('div', { class: 'field' }, h('label', { for: 'item-notes' }, 'Notes'),
      h('textarea', { id: 'item-notes', value: notes, onInput: (e: Event) => setNotes((e.target as HTMLTextAreaElement).value) })),
    h(ErrorLine, { error }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save'), h('button', { type: 'button', onClick: props.onCancel }, 'Cancel')));
}

function Passwords(props: { status: Status; onLock: () => void }) {
  const [query, setQuery] = useState('');
  const [items, setItems] = useState<Summary[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState('');
  const refresh = () => core.list(query).then(setItems, (e) => setError(message(e)));
  useEffect(() => { void refresh(); }, [query]);
  return h('div', { class: 'layout' },
    h('header', { class: 'top' },
      h('h1', null, 'Passwords'),
      h('span', { class: 'muted who' }, props.status.email ?? ''),
      h('button', { type: 'button', onClick: async () => { await core.lock(); props.onLock(); } }, 'Lock')),
    h('div', { class: 'tools' },
      h('label', { for: 'search', class: 'sr-only' }, 'Search'),
      h('input', { id: 'search', type: 'search', placeholder: 'Search', value: query, onInput: (e: Event) => setQuery((e.target as HTMLInputElement).value) }),
      h('button', { type: 'button', class: 'primary', onClick: () => { setAdding(true); setOpen(null); } }, 'New item')),
    h(ErrorLine, { error }),
    h('div', { class: 'panes' },
      h('ul', { class: 'list', 'aria-label': 'Items' }, items.length === 0 ? h('li', { class: 'muted' }, query ? 'Nothing matches.' : 'No items yet.') : null,
        items.map((it) => h('li', { key: it.id },
          h('button', { type: 'button', class: open === it.id ? 'entry selected' : 'entry', onClick: () => { setOpen(it.id); setAdding(false); } },
            h('span', { class: 'name' }, it.name), h('span', { class: 'sub' }, [it.username, it.vault].filter(Boolean).join(' · ')))))),
      h('div', { class: 'detail' },
        adding ? h(AddItem, { onDone: (id) => { setAdding(false); setOpen(id); void refresh(); }, onCancel: () => setAdding(false) })
          : open ? h(ItemView, { id: open, onClose: () => setOpen(null) }) : null)));
}

function App() {
  const [status, setStatus] = useState<Status | null>(null);
  const [error, setError] = useState('');
  useEffect(() => { core.status().then(setStatus, (e) => setError(message(e))); }, []);
  if (error) return h(ErrorLine, { error });
  if (!status) return h('p', { class: 'loading' }, 'Loading Coffer…');
  if (status.state !== 'unlocked') return h(Welcome, { status, onDone: setStatus });
  return h(Passwords, { status, onLock: () => setStatus({ ...status, state: 'locked' }) });
}

export function mount(el: HTMLElement) {
  render(h(App, null), el);
}
