import { useState } from 'preact/hooks';
import { core, message, type Item } from '../core';
import { Dialog } from '../ui/Dialog';
import { ErrorLine } from '../ui/ErrorLine';

const PERMS = ['view', 'edit', 'manage'];

// ShareDialog shares an item with a private group — one the client core
// offers for it: the item moves into the group's vault (its history goes
// along), and every member of the group can then open it with the
// permission chosen (view only unless the group's vault allows another).
export function ShareDialog(props: { item: Item; onClose: () => void; onDone: (note: string) => void }) {
  const groups = props.item.share_groups;
  const [group, setGroup] = useState(groups[0]?.id ?? '');
  const [perm, setPerm] = useState('view');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const g = groups.find((x) => x.id === group);
  // A group whose vault this account does not manage is shared with view
  // only, whatever was chosen for another group before.
  const permission = g?.can_set_permission ? perm : 'view';
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!g) return;
    setBusy(true); setError('');
    try {
      const r = await core.share(props.item.id, g.org_id, g.id, permission);
      props.onDone(`Shared with ${g.name} (${permission}); it is now in ${r.vault}.`);
    } catch (err) { setError(message(err)); } finally { setBusy(false); }
  };
  return (
    <Dialog title={`Share ${props.item.content.name}`} onClose={props.onClose}>
      {groups.length === 0 ? (
        <>
          <p>You are in no private group to share this with. Make one on your organisation's Groups page, add the people, then share from here.</p>
          <div class="actions end"><button type="button" onClick={props.onClose}>Close</button></div>
        </>
      ) : (
        <form class="stack" onSubmit={submit}>
          <p class="muted">The item moves from {props.item.vault} into the group's vault, with its history; everyone in the group can then open it.</p>
          <div class="field"><label for="share-group">Share with</label>
            <select id="share-group" value={group} onChange={(e) => setGroup((e.target as HTMLSelectElement).value)}>
              {groups.map((x) => <option key={x.id} value={x.id}>{x.name} ({x.org})</option>)}
            </select></div>
          <div class="field"><label for="share-perm">Permission</label>
            <select id="share-perm" value={permission} disabled={!g?.can_set_permission} onChange={(e) => setPerm((e.target as HTMLSelectElement).value)}>
              {PERMS.map((p) => <option key={p} value={p}>{p === 'view' ? 'view only' : p}</option>)}
            </select></div>
          <ErrorLine error={error} />
          <div class="actions end">
            <button type="button" onClick={props.onClose}>Cancel</button>
            <button type="submit" class="primary" disabled={busy}>{busy ? 'Sharing…' : g ? `Share with ${g.name}` : 'Share'}</button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
