import { useState } from 'preact/hooks';
import { core, message, type Org } from '../core';
import { Dialog } from '../ui/Dialog';
import { ErrorLine } from '../ui/ErrorLine';
import { Field } from '../ui/Field';

const PERMS = ['view', 'edit', 'manage'];

// NewGroupDialog makes a group: the owner's organisation groups, or
// anyone's private group (with its own vault).
export function NewGroupDialog(props: { org: Org; onClose: () => void; onDone: (note: string) => void }) {
  const owner = props.org.role === 'owner';
  const [name, setName] = useState('');
  const [priv, setPriv] = useState(!owner);
  const [perm, setPerm] = useState('view');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true); setError('');
    try { await core.createGroup(props.org.id, name, priv, perm); props.onDone(`Group ${name} created.`); } catch (err) { setError(message(err)); } finally { setBusy(false); }
  };
  return (
    <Dialog title={owner ? 'New group' : 'New private group'} onClose={props.onClose}>
      <form class="stack" onSubmit={submit}>
        <Field label="Group name" id="group-name" value={name} onInput={setName} required autofocus />
        {owner ? <label><input type="checkbox" checked={priv} onChange={() => setPriv(!priv)} /> Private (a group of yours, with its own vault)</label>
          : <p class="muted">A private group has its own vault; share items into it from Passwords.</p>}
        <div class="field"><label for="group-perm">Default permission</label>
          <select id="group-perm" value={perm} onChange={(e) => setPerm((e.target as HTMLSelectElement).value)}>{PERMS.map((p) => <option key={p} value={p}>{p}</option>)}</select></div>
        <ErrorLine error={error} />
        <div class="actions end">
          <button type="button" onClick={props.onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={busy}>Create the group</button>
        </div>
      </form>
    </Dialog>
  );
}
