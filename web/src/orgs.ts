import { h, type ComponentChild } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { core, CoreError, message, type Access, type Group, type Invitation, type Item, type Member, type Org, type VaultInfo } from './core';
import { copy, ErrorLine, Field } from './ui';

// Organisations in the browser: the same client calls as `coffer org …`.
// The client core does every check (the owner's MAC over an invitee's keys
// at confirm, the signed roster, permissions); these screens show and ask.

const MAX_INVITES = 50;
const PERMS = ['view', 'edit', 'manage'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

// parseAddresses splits what was typed or pasted (one per line, or
// separated by commas, semicolons or spaces; "Name <a@b.c>" too) and names
// every address that is not one.
export function parseAddresses(text: string): { emails: string[]; bad: string[] } {
  const emails: string[] = [];
  const bad: string[] = [];
  const add = (raw: string, email: string) => {
    email = email.trim().toLowerCase();
    if (!EMAIL.test(email)) bad.push(raw);
    else if (!emails.includes(email)) emails.push(email);
  };
  for (let part of text.split(/[\n,;]+/)) {
    part = part.trim();
    if (!part) continue;
    const angle = /<([^<>]+)>\s*$/.exec(part); // "Name <a@b.c>"
    if (angle) add(part, angle[1]);
    else for (const word of part.split(/\s+/)) add(word, word);
  }
  return { emails, bad };
}

// InviteModal shows the confirmation code once, with its Copy button; it
// closes only after the person says the code is copied.
function InviteModal(props: { code: string; emails: string[]; mail: string; joinLink: string; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [copied, setCopied] = useState(false);
  const confirmed = useRef(false);
  const [note, setNote] = useState('');
  useEffect(() => {
    const d = ref.current!;
    d.showModal();
    // Escape (or a second Escape, or a back gesture, which browsers let
    // through) must not lose the code: until it is copied the dialog
    // opens again.
    const warn = () => setNote('Copy the code first, and tick the box — it is shown only now.');
    const cancel = (e: Event) => { e.preventDefault(); warn(); };
    const close = () => { if (!confirmed.current) { d.showModal(); warn(); } };
    d.addEventListener('cancel', cancel);
    d.addEventListener('close', close);
    return () => { d.removeEventListener('cancel', cancel); d.removeEventListener('close', close); };
  }, []);
  const mailNote = props.mail === 'sent' ? 'An e-mail with a Join link went to each address; the code is not in it.'
    : props.mail === 'failed' ? 'Sending the e-mail failed: send each person the Join link below yourself, and the code by another channel.'
      : 'No e-mail was sent (this server has no mail set up): send each person the Join link below yourself, and the code by another channel.';
  return h('dialog', { ref, class: 'modal', 'aria-labelledby': 'code-title', 'aria-describedby': 'code-advice' },
    h('h2', { id: 'code-title' }, 'Confirmation code'),
    h('p', null, `For ${props.emails.length === 1 ? props.emails[0] : `${props.emails.length} people: ${props.emails.join(', ')}`}.`),
    h('p', { class: 'code-box' }, h('code', { id: 'invite-code' }, props.code),
      h('button', { type: 'button', class: 'primary', 'aria-label': 'Copy the code', onClick: () => void copy(props.code, (n) => { setNote(n); if (n.startsWith('Copied')) setCopied(true); }) }, 'Copy')),
    h('p', { id: 'code-advice' }, 'Pass the code on by another channel than e-mail — in person, by phone, or in a chat you trust. It is shown only now; nobody, not even the server, can show it again. ', mailNote),
    props.mail === 'sent' ? null : h('p', { class: 'code-box' }, h('code', { id: 'join-link' }, props.joinLink),
      h('button', { type: 'button', class: 'small', 'aria-label': 'Copy the Join link', onClick: () => void copy(props.joinLink, setNote) }, 'Copy')),
    h('label', null, h('input', { type: 'checkbox', checked: copied, onChange: () => setCopied(!copied) }), ' I have copied the code'),
    note ? h('p', { role: 'status', class: 'muted' }, note) : null,
    h('div', { class: 'actions' }, h('button', { type: 'button', disabled: !copied, onClick: () => { confirmed.current = true; ref.current?.close(); props.onClose(); } }, 'Close')));
}

// VerifyBox proves this account's e-mail address, which a server that
// sends mail wants before inviting or joining.
function VerifyBox(props: { onDone: () => void }) {
  const [sent, setSent] = useState(false);
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  return h('div', { class: 'stack verify' },
    h('p', null, 'This server wants your e-mail address proven before you invite or join.'),
    h('button', { type: 'button', onClick: () => { setError(''); core.requestVerification().then(() => setSent(true), (e) => setError(message(e))); } }, sent ? 'Send another code' : 'Send me a code'),
    sent ? h(Field, { label: 'Code from the e-mail', id: 'verify-code', value: code, onInput: setCode, autocomplete: 'one-time-code' }) : null,
    sent ? h('button', { type: 'button', class: 'primary', onClick: () => { setError(''); core.verifyEmail(code.trim()).then(props.onDone, (e) => setError(message(e))); } }, 'Verify') : null,
    h(ErrorLine, { error }));
}

function InviteForm(props: { org: Org; onInvited: () => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState<{ code: string; emails: string[]; mail: string } | null>(null);
  const [unverified, setUnverified] = useState(false);
  const parsed = parseAddresses(text);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    if (parsed.bad.length) { setError(`Not an e-mail address: ${parsed.bad.join(', ')}. Nothing was sent.`); return; }
    if (parsed.emails.length === 0) { setError('Type or paste at least one address.'); return; }
    if (parsed.emails.length > MAX_INVITES) { setError(`At most ${MAX_INVITES} addresses at a time (${parsed.emails.length} given). Nothing was sent.`); return; }
    setBusy(true);
    try {
      const r = await core.invite(props.org.id, parsed.emails);
      setShown({ code: r.code, emails: parsed.emails, mail: r.mail });
      setText('');
    } catch (err) {
      setError(message(err));
      if (err instanceof CoreError && err.kind === 'unverified') setUnverified(true);
    } finally { setBusy(false); }
  };
  return h('form', { class: 'stack', onSubmit: submit, 'aria-labelledby': 'invite-title' },
    h('h3', { id: 'invite-title' }, 'Invite people'),
    h('div', { class: 'field' }, h('label', { for: 'invite-emails' }, `E-mail addresses (1–${MAX_INVITES}; one per line, or pasted as a list)`),
      h('textarea', { id: 'invite-emails', rows: 4, value: text, 'aria-describedby': 'invite-count', onInput: (e: Event) => { setText((e.target as HTMLTextAreaElement).value); setError(''); } })),
    h('span', { id: 'invite-count', class: parsed.bad.length || parsed.emails.length > MAX_INVITES ? 'error' : 'muted' },
      parsed.bad.length ? `Not an address: ${parsed.bad.join(', ')}` : `${parsed.emails.length} address${parsed.emails.length === 1 ? '' : 'es'}${parsed.emails.length > MAX_INVITES ? ` — at most ${MAX_INVITES}` : ''}`),
    h(ErrorLine, { error }),
    unverified ? h(VerifyBox, { onDone: () => { setUnverified(false); setError(''); } }) : null,
    h('button', { type: 'submit', class: 'primary', disabled: busy }, busy ? 'Working…' : 'Invite'),
    shown ? h(InviteModal, { ...shown, key: shown.code, joinLink: joinLinkOf(props.org.id), onClose: () => { setShown(null); props.onInvited(); } }) : null);
}

// joinLinkOf is the Join link of an organisation's invitations, as the
// invitation e-mail carries it.
export function joinLinkOf(org: string): string {
  return `${location.origin}/join?org=${encodeURIComponent(org)}`;
}

// Fingerprints side by side, with words that say how to compare them.
function Compare(props: { mine: string; member: Member; owner: boolean; onClose: () => void }) {
  return h('div', { class: 'compare', role: 'region', 'aria-label': `Fingerprints of you and ${props.member.email}` },
    h('div', null, h('strong', null, 'Yours'), h('code', null, props.mine)),
    h('div', null, h('strong', null, props.member.email), h('code', null, props.member.fingerprint ?? '')),
    h('p', { class: 'muted' }, `Ask ${props.member.email} to read their own fingerprint aloud (Account screen, or coffer fingerprint) — in person or on a call, not in this app. Every group must match the one shown here for them. If one differs, do not share anything with them${props.owner ? ', and remove them from the organisation' : ' and tell the organisation\'s owner'}.`),
    h('button', { type: 'button', class: 'small', onClick: props.onClose }, 'Done'));
}

const stateWords: Record<string, string> = { owner: 'owner', confirmed: 'confirmed', joined: 'joined — waiting for you to confirm', invited: 'invited', cancelled: 'cancelled' };

function MembersSection(props: { org: Org; mine: string; members: Member[]; opens: (kind: string, ref: string) => string; onChanged: () => void }) {
  const owner = props.org.role === 'owner';
  const [picked, setPicked] = useState<string[]>([]);
  const [compare, setCompare] = useState('');
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const act = async (what: () => Promise<unknown>, done: string) => {
    setError(''); setNote('');
    try { await what(); setPicked([]); setNote(done); props.onChanged(); } catch (err) {
      setError(message(err));
      props.onChanged(); // part of a batch may have gone through
    }
  };
  const pending = props.members.filter((m) => m.state === 'joined' || m.state === 'invited');
  const [reissued, setReissued] = useState<{ code: string; emails: string[]; mail: string } | null>(null);
  const toggle = (email: string) => setPicked(picked.includes(email) ? picked.filter((e) => e !== email) : [...picked, email]);
  return h('section', { 'aria-labelledby': 'members-title' },
    h('h3', { id: 'members-title' }, 'Members'),
    h('ul', { class: 'list members' }, props.members.filter((m) => m.state !== 'cancelled').map((m) => h('li', { key: m.email, class: 'member' },
      owner && (m.state === 'joined' || m.state === 'invited') ? h('input', { type: 'checkbox', checked: picked.includes(m.email), onChange: () => toggle(m.email), 'aria-label': `Select ${m.email}` }) : null,
      h('span', { class: 'who' }, h('span', null, h('strong', null, m.email), m.name ? ` (${m.name})` : '', h('span', { class: 'muted' }, ` · ${stateWords[m.state] ?? m.state}${m.locked ? ' · wrong-code attempts used up: invite again' : ''}`)),
        m.fingerprint ? h('code', { class: 'fp' }, m.fingerprint) : null,
        m.state === 'confirmed' || m.state === 'owner' ? h('span', { class: 'muted opens' }, props.opens('user', m.email)) : null),
      h('span', { class: 'actions' },
        m.fingerprint && m.fingerprint !== props.mine ? h('button', { type: 'button', class: 'small', 'aria-label': `Compare fingerprints with ${m.email}`, onClick: () => setCompare(compare === m.email ? '' : m.email) }, 'Compare') : null,
        owner && m.state === 'joined' ? h('button', { type: 'button', class: 'small primary', 'aria-label': `Confirm ${m.email}`, onClick: () => act(() => core.confirm(props.org.id, [m.email]), `${m.email} is confirmed.`) }, 'Confirm') : null,
        owner && m.locked ? h('button', { type: 'button', class: 'small primary', 'aria-label': `Re-issue the invitation of ${m.email}`, onClick: async () => {
          setError('');
          try { const r = await core.reissue(props.org.id, [m.email]); setReissued({ code: r.code, emails: [m.email], mail: r.mail }); } catch (err) { setError(message(err)); }
        } }, 'Re-issue') : null,
        owner && (m.state === 'joined' || m.state === 'invited') ? h('button', { type: 'button', class: 'small', 'aria-label': `Cancel the invitation of ${m.email}`, onClick: () => act(() => core.cancelInvites(props.org.id, [m.email]), `The invitation of ${m.email} is cancelled.`) }, 'Cancel') : null,
        owner && m.state === 'confirmed' ? h('button', { type: 'button', class: 'small', 'aria-label': `Remove ${m.email}`, onClick: () => { if (confirm(`Remove ${m.email} from ${props.org.name}? They lose every vault of it at once.`)) void act(() => core.removeMember(props.org.id, m.email), `${m.email} was removed.`); } }, 'Remove') : null),
      compare === m.email ? h(Compare, { mine: props.mine, member: m, owner, onClose: () => setCompare('') }) : null))),
    owner && pending.length > 1 ? h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'primary', disabled: !picked.some((e) => pending.find((m) => m.email === e)?.state === 'joined'),
        onClick: () => act(() => core.confirm(props.org.id, picked.filter((e) => pending.find((m) => m.email === e)?.state === 'joined')), 'The selected members are confirmed.') }, 'Confirm selected'),
      h('button', { type: 'button', disabled: picked.length === 0, onClick: () => act(() => core.cancelInvites(props.org.id, picked), 'The selected invitations are cancelled.') }, 'Cancel selected')) : null,
    note ? h('p', { role: 'status' }, note) : null,
    h(ErrorLine, { error }),
    reissued ? h(InviteModal, { ...reissued, key: reissued.code, joinLink: joinLinkOf(props.org.id), onClose: () => { setReissued(null); props.onChanged(); } }) : null,
    owner ? h(InviteForm, { org: props.org, onInvited: props.onChanged }) : null);
}

function GroupsSection(props: { org: Org; groups: Group[]; roster: string[]; vaults: VaultInfo[]; opens: (kind: string, ref: string) => string; onChanged: () => void }) {
  const owner = props.org.role === 'owner';
  const manageable = props.vaults.filter((v) => v.permission === 'manage');
  const [giveVault, setGiveVault] = useState<Record<string, string>>({});
  const [givePerm, setGivePerm] = useState<Record<string, string>>({});
  const [name, setName] = useState('');
  const [priv, setPriv] = useState(!owner);
  const [perm, setPerm] = useState('view');
  const [adding, setAdding] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const act = async (what: () => Promise<unknown>, done: string) => {
    setError(''); setNote('');
    try { await what(); setNote(done); props.onChanged(); } catch (err) { setError(message(err)); }
  };
  const create = (e: Event) => {
    e.preventDefault();
    void act(async () => { await core.createGroup(props.org.id, name, priv, perm); setName(''); }, `Group ${name} created.`);
  };
  return h('section', { 'aria-labelledby': 'groups-title' },
    h('h3', { id: 'groups-title' }, 'Groups'),
    h('datalist', { id: 'roster' }, props.roster.map((e) => h('option', { value: e }))),
    props.groups.length === 0 ? h('p', { class: 'muted' }, 'No groups yet.') : null,
    h('ul', { class: 'list groups' }, props.groups.map((g) => h('li', { key: g.id, class: 'group' },
      h('div', null, h('strong', null, g.name), h('span', { class: 'muted' }, ` · ${g.private ? `private group of ${g.manager}` : 'organisation group'} · default ${g.default_permission}`)),
      h('div', { class: 'muted opens' }, props.opens('group', g.id)),
      h('ul', { class: 'chips', 'aria-label': `Members of ${g.name}` }, g.members.map((m) => h('li', { key: m }, m,
        g.manages && m !== g.manager ? h('button', { type: 'button', class: 'small link', 'aria-label': `Remove ${m} from ${g.name}`, onClick: () => act(() => core.removeGroupMember(props.org.id, g.id, m), `${m} left ${g.name}.`) }, '×') : null))),
      g.manages ? h('form', { class: 'inline', onSubmit: (e: Event) => {
        e.preventDefault();
        const v = (adding[g.id] ?? '').trim();
        // Cleared only if it still holds what was added: the next address
        // may be typed while this one is being added.
        if (v) void act(async () => { await core.addGroupMembers(props.org.id, g.id, v.split(/[\s,;]+/).filter(Boolean)); setAdding((cur) => (cur[g.id] === v ? { ...cur, [g.id]: '' } : cur)); }, `Added ${v} to ${g.name}.`);
      } },
        h('label', { for: `add-${g.id}`, class: 'sr-only' }, `Add to ${g.name} (registered e-mail)`),
        h('input', { id: `add-${g.id}`, type: 'email', list: 'roster', placeholder: 'registered e-mail of a member', value: adding[g.id] ?? '', onInput: (e: Event) => setAdding({ ...adding, [g.id]: (e.target as HTMLInputElement).value }) }),
        h('button', { type: 'submit', class: 'small' }, `Add to ${g.name}`)) : null,
      // What the group can open, granted from the group's side too (the
      // vaults the owner manages).
      owner && !g.private && manageable.length ? h('form', { class: 'inline', onSubmit: (e: Event) => {
        e.preventDefault();
        const v = manageable.find((x) => x.id === (giveVault[g.id] ?? manageable[0].id))!;
        const p = givePerm[g.id] ?? g.default_permission;
        void act(() => core.grant(v.id, 'group', g.id, p), `${g.name} can now ${p} ${v.name}.`);
      } },
        h('label', { for: `give-${g.id}` }, `Give ${g.name} access to`),
        h('select', { id: `give-${g.id}`, value: giveVault[g.id] ?? manageable[0].id, onChange: (e: Event) => setGiveVault({ ...giveVault, [g.id]: (e.target as HTMLSelectElement).value }) }, manageable.map((v) => h('option', { value: v.id }, v.name))),
        h('label', { for: `giveperm-${g.id}`, class: 'sr-only' }, `Permission of ${g.name}`),
        h('select', { id: `giveperm-${g.id}`, value: givePerm[g.id] ?? g.default_permission, onChange: (e: Event) => setGivePerm({ ...givePerm, [g.id]: (e.target as HTMLSelectElement).value }) }, PERMS.map((p) => h('option', { value: p }, p))),
        h('button', { type: 'submit', class: 'small primary', 'aria-label': `Give ${g.name} access` }, 'Give access')) : null))),
    h('form', { class: 'stack', onSubmit: create, 'aria-labelledby': 'newgroup-title' },
      h('h4', { id: 'newgroup-title' }, owner ? 'New group' : 'New private group'),
      h(Field, { label: 'Group name', id: 'group-name', value: name, onInput: setName, required: true }),
      owner ? h('label', null, h('input', { type: 'checkbox', checked: priv, onChange: () => setPriv(!priv) }), ' Private (a group of yours, with its own vault)') : h('p', { class: 'muted' }, 'A private group has its own vault; share items into it from the Passwords screen.'),
      h('div', { class: 'field' }, h('label', { for: 'group-perm' }, 'Default permission'),
        h('select', { id: 'group-perm', value: perm, onChange: (e: Event) => setPerm((e.target as HTMLSelectElement).value) }, PERMS.map((p) => h('option', { value: p }, p)))),
      h('button', { type: 'submit', class: 'primary' }, 'Create the group')),
    note ? h('p', { role: 'status' }, note) : null,
    h(ErrorLine, { error }));
}

function VaultsSection(props: { org: Org; me: string; vaults: VaultInfo[]; access: Record<string, Access[]>; groups: Group[]; roster: string[]; onChanged: () => void }) {
  const owner = props.org.role === 'owner';
  const [name, setName] = useState('');
  const [grantTo, setGrantTo] = useState<Record<string, string>>({});
  const [grantPerm, setGrantPerm] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const act = async (what: () => Promise<unknown>, done: string) => {
    setError(''); setNote('');
    try { await what(); setNote(done); props.onChanged(); } catch (err) { setError(message(err)); }
  };
  const defaultPerm = (t?: string) => (t?.startsWith('group:') ? props.groups.find((g) => `group:${g.id}` === t)?.default_permission : undefined) ?? 'view';
  const targets = [...props.groups.filter((g) => !g.private).map((g) => ({ value: `group:${g.id}`, label: `group ${g.name}` })), ...props.roster.map((e) => ({ value: `user:${e}`, label: e }))];
  return h('section', { 'aria-labelledby': 'vaults-title' },
    h('h3', { id: 'vaults-title' }, 'Vaults'),
    props.vaults.length === 0 ? h('p', { class: 'muted' }, 'No vaults of this organisation that you can open.') : null,
    h('ul', { class: 'list vaults-access' }, props.vaults.map((v) => {
      const manage = v.permission === 'manage'; // what the server asks for
      const list = props.access[v.id] ?? [];
      return h('li', { key: v.id, class: 'vault-access' },
        h('div', null, h('strong', null, v.name), h('span', { class: 'muted' }, ` · you: ${v.permission}`)),
        manage ? h('table', { class: 'access', 'aria-label': `Who can open ${v.name}` },
          h('tbody', null, list.map((a) => a.kind === 'user' && a.name === props.me ? h('tr', { key: a.kind + a.id }, h('td', null, `${a.name} (you)`), h('td', null, a.permission), h('td', null)) : h('tr', { key: a.kind + a.id },
            h('td', null, a.kind === 'group' ? `group ${a.name}` : a.name),
            h('td', null, h('label', { class: 'sr-only', for: `perm-${v.id}-${a.id}` }, `Permission of ${a.name} on ${v.name}`),
              h('select', { id: `perm-${v.id}-${a.id}`, value: a.permission, onChange: (e: Event) => { const p = (e.target as HTMLSelectElement).value; void act(() => core.grant(v.id, a.kind as 'group' | 'user', a.kind === 'group' ? a.id : a.name, p), `${a.name} can now ${p} ${v.name}.`); } }, PERMS.map((p) => h('option', { value: p }, p)))),
            h('td', null, h('button', { type: 'button', class: 'small', 'aria-label': `Revoke ${a.name} from ${v.name}`, onClick: () => act(() => core.revoke(v.id, a.kind, a.kind === 'group' ? a.id : a.name), `${a.name} can no longer open ${v.name}.`) }, 'Revoke')))))) : null,
        manage ? h('form', { class: 'inline', onSubmit: (e: Event) => {
          e.preventDefault();
          const t = grantTo[v.id] ?? targets[0]?.value;
          if (!t) return;
          const [kind, ref] = [t.slice(0, t.indexOf(':')), t.slice(t.indexOf(':') + 1)];
          // A group's default permission, unless another was chosen.
          const p = grantPerm[v.id] ?? (kind === 'group' ? props.groups.find((g) => g.id === ref)?.default_permission : undefined) ?? 'view';
          void act(() => core.grant(v.id, kind as 'group' | 'user', ref, p), `Granted ${p} on ${v.name}.`);
        } },
          h('label', { for: `grant-${v.id}`, class: 'sr-only' }, `Grant ${v.name} to`),
          h('select', { id: `grant-${v.id}`, value: grantTo[v.id] ?? targets[0]?.value, onChange: (e: Event) => setGrantTo({ ...grantTo, [v.id]: (e.target as HTMLSelectElement).value }) }, targets.map((t) => h('option', { value: t.value }, t.label))),
          h('label', { for: `grantperm-${v.id}`, class: 'sr-only' }, `Permission on ${v.name}`),
          h('select', { id: `grantperm-${v.id}`, value: grantPerm[v.id] ?? defaultPerm(grantTo[v.id] ?? targets[0]?.value), onChange: (e: Event) => setGrantPerm({ ...grantPerm, [v.id]: (e.target as HTMLSelectElement).value }) }, PERMS.map((p) => h('option', { value: p }, p))),
          h('button', { type: 'submit', class: 'small primary', 'aria-label': `Grant access to ${v.name}` }, 'Grant')) : null);
    })),
    owner ? h('form', { class: 'inline', onSubmit: (e: Event) => { e.preventDefault(); void act(async () => { await core.createVault(props.org.id, name); setName(''); }, `Vault ${name} created.`); } },
      h('label', { for: 'vault-name' }, 'New vault'),
      h('input', { id: 'vault-name', value: name, required: true, onInput: (e: Event) => setName((e.target as HTMLInputElement).value) }),
      h('button', { type: 'submit', class: 'small primary' }, 'Create the vault')) : null,
    note ? h('p', { role: 'status' }, note) : null,
    h(ErrorLine, { error }));
}

// JoinForm takes the confirmation code for an invitation.
export function JoinForm(props: { org?: string; onJoined: (text: string) => void }) {
  const [org, setOrg] = useState(props.org ?? '');
  const [unverified, setUnverified] = useState(false);
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(''); setBusy(true);
    try {
      const r = await core.join(org, code);
      setCode('');
      if (!props.org) setOrg('');
      props.onJoined(`You joined ${r.org_name}. Its owner, ${r.owner_email}, confirms you next; its vaults appear here then.`);
    } catch (err) {
      // The server counts wrong codes per invitation (5): say how many
      // are left, and what to do once none is.
      const left = err instanceof CoreError ? /(\d+) of (\d+) attempts? left/.exec(err.message) : null;
      if (left) setError(Number(left[1]) > 0 ? `That code is wrong (${left[1]} of ${left[2]} attempts left). Check it with the person who invited you.` : 'That code is wrong, and no attempts are left: ask the person who invited you to invite you again.');
      else setError(err instanceof CoreError && /attempt|locked|too many/i.test(err.message) ? `${message(err)} Ask the person who invited you to invite you again.` : message(err));
      if (err instanceof CoreError && err.kind === 'unverified') setUnverified(true);
    } finally { setBusy(false); }
  };
  return h('form', { class: 'stack', onSubmit: submit, 'aria-labelledby': 'join-title' },
    h('h3', { id: 'join-title' }, 'Join an organisation'),
    props.org ? null : h(Field, { label: 'Organisation (its name, or the org= part of the Join link)', id: 'join-org', value: org, onInput: setOrg, required: true }),
    h(Field, { label: 'Confirmation code', id: 'join-code', value: code, onInput: setCode, required: true, autofocus: !!props.org, autocomplete: 'off' }),
    h('p', { class: 'muted' }, 'The code comes from the person who invited you, by another channel than e-mail.'),
    h(ErrorLine, { error }),
    unverified ? h(VerifyBox, { onDone: () => { setUnverified(false); setError(''); } }) : null,
    h('button', { type: 'submit', class: 'primary', disabled: busy }, busy ? 'Working…' : 'Join'));
}

// JoinView is the page the Join link of an invitation e-mail opens (after
// logging in or signing up with the invited address).
export function JoinView(props: { org: string; onDone: () => void }) {
  const [done, setDone] = useState('');
  return h('section', { class: 'card join', 'aria-labelledby': 'joinpage-title' },
    h('h2', { id: 'joinpage-title' }, 'You were invited'),
    done ? [h('p', { role: 'status' }, done), h('button', { type: 'button', class: 'primary', onClick: props.onDone }, 'Go to Passwords')]
      : h(JoinForm, { org: props.org, onJoined: setDone }));
}

// OrgsView is the organisations screen: switch between organisations,
// members (invite, confirm, cancel, remove, fingerprints), groups and
// vaults with who can open them.
export function OrgsView(props: { tick: number; mine: string; me: string; onChanged: () => void }) {
  const [orgs, setOrgs] = useState<Org[]>([]);
  const [current, setCurrent] = useState(localStorage.getItem('coffer.org') ?? '');
  const [members, setMembers] = useState<Member[]>([]);
  const [groups, setGroups] = useState<Group[]>([]);
  const [vaults, setVaults] = useState<VaultInfo[]>([]);
  const [access, setAccess] = useState<Record<string, Access[]>>({});
  const [invitations, setInvitations] = useState<Invitation[]>([]);
  const [newName, setNewName] = useState('');
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const [loaded, setLoaded] = useState(0);
  const org = orgs.find((o) => o.id === current) ?? orgs[0];
  useEffect(() => {
    core.orgs().then(setOrgs, (e) => setError(message(e)));
    core.invitations().then(setInvitations, () => undefined);
  }, [props.tick, loaded]);
  useEffect(() => {
    if (!org) return;
    // Answers for an organisation switched away from meanwhile are dropped.
    let live = true;
    const keep = <T,>(set: (v: T) => void) => (v: T) => { if (live) set(v); };
    core.members(org.id).then(keep(setMembers), (e) => live && setError(message(e)));
    core.groups(org.id).then(keep(setGroups), (e) => live && setError(message(e)));
    core.vaults().then(async (vs) => {
      const mine = vs.filter((v) => v.org_id === org.id);
      const out: Record<string, Access[]> = {};
      for (const v of mine) {
        if (v.permission !== 'manage') continue;
        try { out[v.id] = await core.access(v.id); } catch (e) { if (live) setError(message(e)); }
      }
      if (live) { setVaults(mine); setAccess(out); }
    }, () => undefined);
    return () => { live = false; };
  }, [org?.id, props.tick, loaded]);
  const changed = () => { setLoaded((n) => n + 1); props.onChanged(); };
  const roster = members.filter((m) => m.state === 'confirmed' || m.state === 'owner').map((m) => m.email);
  // "What can they open": from the access lists of the vaults shown.
  // A member's access through their groups counts too (leave management
  // needs all of it).
  const opens = (kind: string, ref: string) => {
    const list = vaults.flatMap((v) => (access[v.id] ?? []).flatMap((a) => {
      if (a.kind === kind && (kind === 'group' ? a.id === ref : a.name === ref)) return [`${v.name} (${a.permission})`];
      const via = kind === 'user' && a.kind === 'group' ? groups.find((g) => g.id === a.id && g.members.includes(ref)) : undefined;
      return via ? [`${v.name} (${a.permission}, through ${via.name})`] : [];
    }));
    return list.length ? `Opens: ${list.join(', ')}` : '';
  };
  const create = async (e: Event) => {
    e.preventDefault();
    setError('');
    try { const o = await core.createOrg(newName); setNewName(''); localStorage.setItem('coffer.org', o.id); setCurrent(o.id); changed(); } catch (err) { setError(message(err)); }
  };
  const waiting = invitations.filter((i) => !orgs.some((o) => o.id === i.org_id));
  let body: ComponentChild = null;
  if (org) {
    body = [
      h(MembersSection, { key: `m-${org.id}`, org, mine: props.mine, members, opens, onChanged: changed }),
      h(GroupsSection, { key: `g-${org.id}`, org, groups, roster, vaults, opens, onChanged: changed }),
      h(VaultsSection, { key: `v-${org.id}`, org, me: props.me, vaults, access, groups, roster, onChanged: changed }),
    ];
  }
  return h('section', { class: 'card orgs', 'aria-labelledby': 'orgs-title' },
    h('h2', { id: 'orgs-title' }, org ? org.name : 'Organisations'),
    orgs.length > 1 ? h('div', { class: 'field' }, h('label', { for: 'org-switch' }, 'Organisation'),
      h('select', { id: 'org-switch', value: org?.id, onChange: (e: Event) => { const id = (e.target as HTMLSelectElement).value; localStorage.setItem('coffer.org', id); setCurrent(id); setNote(''); } },
        orgs.map((o) => h('option', { value: o.id }, `${o.name}${o.role === 'owner' ? ' (yours)' : ` (owner ${o.owner_email})`}`)))) : null,
    org ? h('p', { class: 'muted' }, org.role === 'owner' ? 'You own this organisation.' : `Owner: ${org.owner_email}.`, ' Your fingerprint: ', h('code', null, props.mine)) : null,
    body,
    ...waiting.map((i) => h('p', { key: i.id, class: 'muted' }, i.state === 'joined'
      ? `You joined an organisation of ${i.owner}; they confirm you next, and its vaults appear then.`
      : `${i.owner} invited you to an organisation: join it below with the code they give you.`)),
    note ? h('p', { role: 'status' }, note) : null,
    // Joining or creating another organisation: folded away once there is
    // one, open while there is none.
    h('details', { class: 'more', open: orgs.length === 0 || undefined },
      h('summary', null, orgs.length ? 'Join or create another organisation' : 'Join or create an organisation'),
      h(JoinForm, { onJoined: (t) => { setNote(t); changed(); } }),
      h('form', { class: 'inline', onSubmit: create },
        h('label', { for: 'org-name' }, 'New organisation'),
        h('input', { id: 'org-name', value: newName, required: true, onInput: (e: Event) => setNewName((e.target as HTMLInputElement).value) }),
        h('button', { type: 'submit', class: 'small primary' }, 'Create'))),
    h(ErrorLine, { error }));
}

// ShareMove: share an item with a private group (view only by default),
// or move it into another vault (its history goes along).
export function ShareMove(props: { item: Item; onDone: (note: string) => void }) {
  const [orgs, setOrgs] = useState<Org[]>([]);
  const [groups, setGroups] = useState<(Group & { org: string })[]>([]);
  const [vaults, setVaults] = useState<VaultInfo[]>([]);
  const [group, setGroup] = useState('');
  const [perm, setPerm] = useState('view');
  const [vault, setVault] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    core.orgs().then(async (os) => {
      setOrgs(os);
      const all: (Group & { org: string })[] = [];
      // Private groups with a vault that this account is in or manages.
      const me = (await core.status()).email ?? '';
      for (const o of os) for (const g of await core.groups(o.id).catch(() => [])) if (g.private && g.vault_id && (g.manages || g.members.includes(me))) all.push({ ...g, org: o.id });
      setGroups(all);
    }, () => undefined);
    // Into My Vault, or a vault of the item's own organisation (or of any,
    // from My Vault) that this account may write to.
    core.vaults().then((vs) => setVaults(vs.filter((v) => v.id !== props.item.vault_id && (v.kind !== 'org' || (v.permission !== 'view' && (!props.item.org_id || v.org_id === props.item.org_id))))), () => undefined);
  }, [props.item.id]);
  const run = async (what: () => Promise<{ vault: string }>, done: (v: string) => string) => {
    setError('');
    try { const r = await what(); props.onDone(done(r.vault)); } catch (err) { setError(message(err)); }
  };
  const g = groups.find((x) => x.id === (group || groups[0]?.id));
  const orgName = (id: string) => orgs.find((o) => o.id === id)?.name ?? '';
  return h('div', { class: 'share' },
    groups.length ? h('form', { class: 'inline', onSubmit: (e: Event) => { e.preventDefault(); if (g) void run(() => core.share(props.item.id, g.org, g.id, perm), (v) => `Shared with ${g.name} (${perm}); it is now in ${v}.`); } },
      h('label', { for: 'share-group' }, 'Share with'),
      h('select', { id: 'share-group', value: g?.id, onChange: (e: Event) => setGroup((e.target as HTMLSelectElement).value) }, groups.map((x) => h('option', { value: x.id }, `${x.name} (${orgName(x.org)})`))),
      h('label', { for: 'share-perm', class: 'sr-only' }, 'Permission'),
      h('select', { id: 'share-perm', value: perm, onChange: (e: Event) => setPerm((e.target as HTMLSelectElement).value) }, PERMS.map((p) => h('option', { value: p }, p === 'view' ? 'view only' : p))),
      h('button', { type: 'submit', class: 'small primary' }, 'Share')) : null,
    vaults.length ? h('form', { class: 'inline', onSubmit: (e: Event) => { e.preventDefault(); const to = vault || vaults[0]?.id; if (to) void run(() => core.move(props.item.id, to), (v) => `Moved to ${v}; its history went along.`); } },
      h('label', { for: 'move-vault' }, 'Move to'),
      h('select', { id: 'move-vault', value: vault || vaults[0]?.id, onChange: (e: Event) => setVault((e.target as HTMLSelectElement).value) }, vaults.map((v) => h('option', { value: v.id }, v.label))),
      h('button', { type: 'submit', class: 'small' }, 'Move')) : null,
    h(ErrorLine, { error }));
}
