import { useEffect, useState } from 'preact/hooks';
import { core, message, type Group, type Item, type Org } from '../core';
import { useApp } from '../shell/AppState';
import { Dialog } from '../ui/Dialog';
import { ErrorLine } from '../ui/ErrorLine';

const PERMS = ['view', 'edit', 'manage'];

// ShareDialog shares an item with a private group: the item moves into
// the group's vault (its history goes along), and every member of the
// group can then open it with the permission chosen.
export function ShareDialog(props: { item: Item; onClose: () => void; onDone: (note: string) => void }) {
  const app = useApp();
  const [groups, setGroups] = useState<(Group & { org: Org })[] | null>(null);
  const [group, setGroup] = useState('');
  const [perm, setPerm] = useState('view');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  useEffect(() => {
    void (async () => {
      const me = app.status.email ?? '';
      const all: (Group & { org: Org })[] = [];
      // Private groups with a vault that this account is in or manages.
      for (const o of app.orgs) for (const g of await core.groups(o.id).catch(() => [])) if (g.private && g.vault_id && (g.manages || g.members.includes(me))) all.push({ ...g, org: o });
      setGroups(all);
    })();
  }, [props.item.id]);
  const g = groups?.find((x) => x.id === (group || groups[0]?.id));
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!g) return;
    setBusy(true); setError('');
    try {
      const r = await core.share(props.item.id, g.org.id, g.id, perm);
      props.onDone(`Shared with ${g.name} (${perm}); it is now in ${r.vault}.`);
    } catch (err) { setError(message(err)); } finally { setBusy(false); }
  };
  return (
    <Dialog title={`Share ${props.item.content.name}`} onClose={props.onClose}>
      {groups === null ? <p class="muted">Finding your groups…</p> : groups.length === 0 ? (
        <p>You are in no private group to share with. Make one under your organisation's Groups page, add the people, then share from here.</p>
      ) : (
        <form class="stack" onSubmit={submit}>
          <p class="muted">The item moves from {props.item.vault} into the group's vault, with its history; everyone in the group can then open it.</p>
          <div class="field"><label for="share-group">Share with</label>
            <select id="share-group" value={g?.id} onChange={(e) => setGroup((e.target as HTMLSelectElement).value)}>
              {groups.map((x) => <option key={x.id} value={x.id}>{x.name} ({x.org.name})</option>)}
            </select></div>
          <div class="field"><label for="share-perm">Permission</label>
            <select id="share-perm" value={perm} onChange={(e) => setPerm((e.target as HTMLSelectElement).value)}>
              {PERMS.map((p) => <option key={p} value={p}>{p === 'view' ? 'view only' : p}</option>)}
            </select></div>
          <ErrorLine error={error} />
          <div class="actions end">
            <button type="button" onClick={props.onClose}>Cancel</button>
            <button type="submit" class="primary" disabled={busy}>{busy ? 'Sharing…' : g ? `Share with ${g.name}` : 'Share'}</button>
          </div>
        </form>
      )}
      {groups !== null && groups.length === 0 ? <div class="actions end"><button type="button" onClick={props.onClose}>Close</button></div> : null}
    </Dialog>
  );
}
