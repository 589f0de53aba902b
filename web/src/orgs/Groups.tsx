import { Plus } from 'lucide';
import { useState } from 'preact/hooks';
import { TEXTS, type Group, type OrgDetail } from '../core';
import { EmptyState } from '../ui/EmptyState';
import { ErrorLine } from '../ui/ErrorLine';
import { useAction } from '../ui/useAction';
import { Icon } from '../ui/Icon';
import { GroupRow } from './GroupRow';
import { NewGroupDialog } from './NewGroupDialog';

// Groups: the organisation's groups and the private groups this account
// is in or manages — their members, what they can open and whether they
// may export only My Vault, with what that policy can and cannot do.
export function Groups(props: { detail: OrgDetail; reload: () => void }) {
  const org = props.detail.org;
  const owner = org.can_manage_groups;
  const [creating, setCreating] = useState(false);
  const { note, error, setNote, act } = useAction(props.reload);
  return (
    <section aria-labelledby="groups-title">
      <div class="section-head">
        <h2 id="groups-title">Groups</h2>
        {owner || org.can_create_private_group ? <button type="button" class="primary" onClick={() => setCreating(true)}><Icon icon={Plus} /> {owner ? 'New group' : 'New private group'}</button> : null}
      </div>
      {note ? <p role="status" class="note">{note}</p> : null}
      <ErrorLine error={error} />
      <datalist id="roster">{props.detail.roster.map((e) => <option key={e} value={e} />)}</datalist>
      {props.detail.groups.length === 0 ? (
        <EmptyState title="No groups yet" text={owner ? 'A group gives several people the same access at once: Marketing, Engineering, Contractors. A private group has its own vault, for sharing items with a few people.' : 'A private group has its own vault: make one, add the people, and share items into it from Passwords.'} />
      ) : (
        <ul class="cards">
          {props.detail.groups.map((g: Group) => <GroupRow key={g.id} detail={props.detail} group={g} act={act} changed={(n) => { setNote(n); props.reload(); }} />)}
        </ul>
      )}
      {owner || props.detail.groups.some((g) => g.export_my_vault_only) ? (
        <details class="help">
          <summary>What “Allow export of My Vault only” does</summary>
          <p>{TEXTS.export_group}</p>
          <p>{TEXTS.export_limits}</p>
        </details>
      ) : null}
      {creating ? <NewGroupDialog org={org} onClose={() => setCreating(false)} onDone={(n) => { setCreating(false); setNote(n); props.reload(); }} /> : null}
    </section>
  );
}
