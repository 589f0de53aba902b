import { Plus } from 'lucide';
import { useState } from 'preact/hooks';
import { core, message, type Group, type Org } from '../core';
import { EmptyState } from '../ui/EmptyState';
import { ErrorLine } from '../ui/ErrorLine';
import { Icon } from '../ui/Icon';
import { GroupRow } from './GroupRow';
import { NewGroupDialog } from './NewGroupDialog';
import type { OrgData } from './useOrgData';

// Groups: the organisation's groups and the private groups this account
// is in or manages — their members and what they can open.
export function Groups(props: { org: Org; data: OrgData }) {
  const owner = props.org.role === 'owner';
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const roster = props.data.members.filter((m) => m.state === 'confirmed' || m.state === 'owner').map((m) => m.email);
  const act = async (what: () => Promise<unknown>, done: string) => {
    setError(''); setNote('');
    try { await what(); setNote(done); props.data.reload(); } catch (err) { setError(message(err)); }
  };
  return (
    <section aria-labelledby="groups-title">
      <div class="section-head">
        <h2 id="groups-title">Groups</h2>
        <button type="button" class="primary" onClick={() => setCreating(true)}><Icon icon={Plus} /> {owner ? 'New group' : 'New private group'}</button>
      </div>
      {note ? <p role="status" class="note">{note}</p> : null}
      <ErrorLine error={error} />
      <datalist id="roster">{roster.map((e) => <option key={e} value={e} />)}</datalist>
      {props.data.loaded && props.data.groups.length === 0 ? (
        <EmptyState title="No groups yet" text={owner ? 'A group gives several people the same access at once: Marketing, Engineering, Contractors. A private group has its own vault, for sharing items with a few people.' : 'A private group has its own vault: make one, add the people, and share items into it from Passwords.'} />
      ) : (
        <ul class="cards">
          {props.data.groups.map((g: Group) => <GroupRow key={g.id} org={props.org} group={g} data={props.data} act={act} />)}
        </ul>
      )}
      {creating ? <NewGroupDialog org={props.org} onClose={() => setCreating(false)} onDone={(n) => { setCreating(false); setNote(n); props.data.reload(); }} /> : null}
    </section>
  );
}
