import { UserPlus } from 'lucide';
import { useState } from 'preact/hooks';
import { core, message, type Member, type Org } from '../core';
import { useApp } from '../shell/AppState';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { EmptyState } from '../ui/EmptyState';
import { ErrorLine } from '../ui/ErrorLine';
import { Icon } from '../ui/Icon';
import { joinLinkOf } from './addresses';
import { CodeDialog } from './CodeDialog';
import { CompareDialog } from './CompareDialog';
import { InviteDialog } from './InviteDialog';
import { opensOf, type OrgData } from './useOrgData';

const stateWords: Record<string, string> = { owner: 'Owner', confirmed: 'Member', joined: 'Joined — confirm them', invited: 'Invited', cancelled: 'Cancelled' };

type Shown = { code: string; emails: string[]; mail: string };

// Members: everyone in the organisation and every open invitation, one
// row each; the owner invites (a dialog), compares fingerprints, confirms
// or cancels (one by one, or the rows selected), re-issues a locked
// invitation and removes members (after a dialog that says what it does).
export function Members(props: { org: Org; data: OrgData }) {
  const app = useApp();
  const owner = props.org.role === 'owner';
  const mine = app.status.fingerprint ?? '';
  const [picked, setPicked] = useState<string[]>([]);
  const [compare, setCompare] = useState<Member | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [inviting, setInviting] = useState(false);
  const [shown, setShown] = useState<Shown | null>(null);
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const act = async (what: () => Promise<unknown>, done: string) => {
    setError(''); setNote('');
    try { await what(); setPicked([]); setNote(done); } catch (err) { setError(message(err)); }
    props.data.reload(); // part of a batch may have gone through
  };
  const rows = props.data.members.filter((m) => m.state !== 'cancelled');
  const pending = rows.filter((m) => m.state === 'joined' || m.state === 'invited');
  const joinedPicked = picked.filter((e) => pending.find((m) => m.email === e)?.state === 'joined');
  const toggle = (email: string) => setPicked(picked.includes(email) ? picked.filter((e) => e !== email) : [...picked, email]);
  return (
    <section aria-labelledby="members-title">
      <div class="section-head">
        <h2 id="members-title">Members</h2>
        {owner ? <button type="button" class="primary" onClick={() => setInviting(true)}><Icon icon={UserPlus} /> Invite people</button> : null}
      </div>
      {owner && picked.length > 0 ? (
        <div class="bulk" role="region" aria-label="Selected invitations">
          <span>{picked.length} selected</span>
          <button type="button" class="primary" disabled={joinedPicked.length === 0} onClick={() => act(() => core.confirm(props.org.id, joinedPicked), 'The selected members are confirmed.')}>Confirm selected</button>
          <button type="button" onClick={() => act(() => core.cancelInvites(props.org.id, picked), 'The selected invitations are cancelled.')}>Cancel selected</button>
        </div>
      ) : null}
      {note ? <p role="status" class="note">{note}</p> : null}
      <ErrorLine error={error} />
      {rows.length <= 1 && owner && props.data.loaded ? (
        <EmptyState title="Nobody else here yet" text="Invite people by e-mail. Each gets a Join link; you pass on one confirmation code by another channel, then confirm them here." />
      ) : null}
      <table class="table members">
        <thead><tr>
          {owner ? <th scope="col"><span class="sr-only">Select</span></th> : null}
          <th scope="col">Member</th><th scope="col">Status</th><th scope="col">Fingerprint</th><th scope="col">Can open</th><th scope="col"><span class="sr-only">Actions</span></th>
        </tr></thead>
        <tbody>
          {rows.map((m) => {
            const canPick = owner && (m.state === 'joined' || m.state === 'invited');
            const opens = m.state === 'confirmed' || m.state === 'owner' ? opensOf(props.data, 'user', m.email) : '';
            return (
              <tr key={m.email} class="member">
                {owner ? <td class="pick">{canPick ? <input type="checkbox" checked={picked.includes(m.email)} onChange={() => toggle(m.email)} aria-label={`Select ${m.email}`} /> : null}</td> : null}
                <td data-label="Member" class="who"><strong>{m.email}</strong>{m.name ? <span class="muted"> {m.name}</span> : null}{m.email === app.status.email ? <span class="muted"> (you)</span> : null}</td>
                <td data-label="Status">
                  <span class={`badge ${m.state}`}>{stateWords[m.state] ?? m.state}</span>
                  {m.locked ? <span class="badge warn">Locked: wrong code 5 times</span> : null}
                  {m.key_mismatch ? <span class="badge danger">Keys do not match</span> : null}
                </td>
                <td data-label="Fingerprint">{m.fingerprint ? <code class="fp">{m.fingerprint}</code> : <span class="muted">{m.state === 'invited' ? 'not joined yet' : '—'}</span>}</td>
                <td data-label="Can open" class="opens">{opens || <span class="muted">—</span>}</td>
                <td class="row-actions">
                  {m.fingerprint && m.fingerprint !== mine ? <button type="button" class="small" aria-label={`Compare fingerprints with ${m.email}`} onClick={() => setCompare(m)}>Compare</button> : null}
                  {owner && m.state === 'joined' ? <button type="button" class="small primary" aria-label={`Confirm ${m.email}`} onClick={() => act(() => core.confirm(props.org.id, [m.email]), `${m.email} is confirmed.`)}>Confirm</button> : null}
                  {owner && m.locked ? <button type="button" class="small primary" aria-label={`Re-issue the invitation of ${m.email}`} onClick={async () => {
                    setError('');
                    try { const r = await core.reissue(props.org.id, [m.email]); setShown({ code: r.code, emails: [m.email], mail: r.mail }); } catch (err) { setError(message(err)); }
                  }}>Re-issue</button> : null}
                  {canPick ? <button type="button" class="small" aria-label={`Cancel the invitation of ${m.email}`} onClick={() => act(() => core.cancelInvites(props.org.id, [m.email]), `The invitation of ${m.email} is cancelled.`)}>Cancel</button> : null}
                  {owner && m.state === 'confirmed' ? <button type="button" class="small danger" aria-label={`Remove ${m.email}`} onClick={() => setRemoving(m)}>Remove</button> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {inviting ? <InviteDialog org={props.org} onClose={() => setInviting(false)} onInvited={(r) => { setInviting(false); setShown(r); }} /> : null}
      {shown ? <CodeDialog {...shown} key={shown.code} joinLink={joinLinkOf(props.org.id)} onClose={() => { setShown(null); props.data.reload(); }} /> : null}
      {compare ? <CompareDialog mine={mine} member={compare} owner={owner} onClose={() => setCompare(null)} /> : null}
      {removing ? <ConfirmDialog title={`Remove ${removing.email}?`} danger action={`Remove ${removing.email} from ${props.org.name}`}
        text={`${removing.email} can no longer open any vault of ${props.org.name}, from now on. Their own items (My Vault) stay theirs.`}
        onConfirm={async () => { await core.removeMember(props.org.id, removing.email); setNote(`${removing.email} was removed.`); props.data.reload(); }}
        onClose={() => setRemoving(null)} /> : null}
    </section>
  );
}
