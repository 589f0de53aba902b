import { UserPlus } from 'lucide';
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { core, message, type Member, type OrgDetail } from '../core';
import { useApp } from '../shell/AppState';
import { EmptyState } from '../ui/EmptyState';
import { ErrorLine } from '../ui/ErrorLine';
import { useAction } from '../ui/useAction';
import { Icon } from '../ui/Icon';
import { joinLinkOf } from './addresses';
import { CodeDialog } from './CodeDialog';
import { CompareDialog } from './CompareDialog';
import { InviteDialog } from './InviteDialog';
import { RemoveDialog } from './RemoveDialog';
import { opensText } from './useOrgData';

const stateWords: Record<string, string> = { owner: 'Owner', confirmed: 'Member', joined: 'Joined — confirm them', invited: 'Invited', cancelled: 'Cancelled' };

type Shown = { code: string; emails: string[]; mail: string };

// Members: everyone in the organisation and every open invitation, one
// row each, as the client core lets this account see them (a member sees
// the confirmed members, and fingerprints where they have a reason to
// compare); who may invites (a dialog), compares fingerprints, confirms
// or cancels (one by one, or the rows selected), re-issues a locked
// invitation and removes members (after a dialog that says what it does).
export function Members(props: { detail: OrgDetail; reload: () => void }) {
  const app = useApp();
  const org = props.detail.org;
  const mine = app.status.fingerprint ?? '';
  const [picked, setPicked] = useState<string[]>([]);
  const [compare, setCompare] = useState<Member | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [inviting, setInviting] = useState(false);
  const [shown, setShown] = useState<Shown | null>(null);
  const { note, error, setNote, setError, act: run } = useAction(props.reload);
  const act = (what: () => Promise<unknown>, done: string) => run(async () => { await what(); setPicked([]); }, done);
  const rows = props.detail.members.filter((m) => m.state !== 'cancelled');
  const selectable = rows.filter((m) => m.can_cancel);
  const selectMode = selectable.length > 0;
  const joinedPicked = picked.filter((e) => rows.find((m) => m.email === e)?.can_confirm);
  const toggle = (email: string) => setPicked(picked.includes(email) ? picked.filter((e) => e !== email) : [...picked, email]);
  return (
    <section aria-labelledby="members-title">
      <div class="section-head">
        <h2 id="members-title">Members</h2>
        {org.can_invite ? <button type="button" class="primary" onClick={() => setInviting(true)}><Icon icon={UserPlus} /> Invite people</button> : null}
      </div>
      {picked.length > 0 ? (
        <div class="bulk" role="region" aria-label="Selected invitations">
          <span>{picked.length} selected</span>
          <button type="button" class="primary" disabled={joinedPicked.length === 0} onClick={() => act(() => core.confirm(org.id, joinedPicked), 'The selected members are confirmed.')}>Confirm selected</button>
          <button type="button" onClick={() => act(() => core.cancelInvites(org.id, picked), 'The selected invitations are cancelled.')}>Cancel selected</button>
        </div>
      ) : null}
      {note ? <p role="status" class="note">{note}</p> : null}
      <ErrorLine error={error} />
      {rows.length <= 1 && org.can_invite ? (
        <EmptyState title="Nobody else here yet" text="Invite people by e-mail. Each gets a Join link; you pass on one confirmation code by another channel, then confirm them here." />
      ) : null}
      <table class="table members">
        <thead><tr>
          {selectMode ? <th scope="col"><span class="sr-only">Select</span></th> : null}
          <th scope="col">Member and key fingerprint</th><th scope="col">Status</th><th scope="col">Can open</th><th scope="col"><span class="sr-only">Actions</span></th>
        </tr></thead>
        <tbody>
          {rows.map((m) => {
            const opens = opensText(m.opens);
            // A joined invitee who cannot be confirmed yet: "Joined" (not
            // "confirm them"), and why on a line of its own under the row,
            // across the table, which the disabled Confirm points to.
            const state = m.confirm_refusal && m.state === 'joined' ? 'Joined' : stateWords[m.state] ?? m.state;
            return (
              <Fragment key={m.email}>
              <tr class={m.confirm_refusal ? 'member has-note' : 'member'}>
                {selectMode ? <td class="pick">{m.can_cancel ? <input type="checkbox" checked={picked.includes(m.email)} onChange={() => toggle(m.email)} aria-label={`Select ${m.email}`} /> : null}</td> : null}
                <td data-label="Member" class="who"><strong>{m.email}</strong>{m.name ? <span class="muted"> {m.name}</span> : null}{m.me ? <span class="muted"> (you)</span> : null}
                  {m.fingerprint ? <code class="fp" aria-label={`Key fingerprint of ${m.email}`}>{m.fingerprint}</code> : m.state === 'invited' ? <span class="fp muted">not joined yet</span> : null}</td>
                <td data-label="Status" class="status">
                  <span class={`badge ${m.state}`}>{state}</span>
                  {m.locked ? <span class="badge warn" title={m.locked_at ? `since ${new Date(m.locked_at).toLocaleString()}` : undefined}>Locked: too many wrong codes</span> : null}
                  {m.key_mismatch ? <span class="badge danger">Keys do not match</span> : null}
                  {m.two_factor === false ? <span class="badge warn">{m.two_factor_label}</span> : null}
                </td>

                <td data-label="Can open" class="opens">{opens || <span class="muted">—</span>}</td>
                <td class="row-actions">
                  {m.can_compare ? <button type="button" class="small" aria-label={`Compare fingerprints with ${m.email}`} onClick={() => setCompare(m)}>Compare</button> : null}
                  {m.can_confirm ? <button type="button" class="small primary" aria-label={`Confirm ${m.email}`} onClick={() => act(() => core.confirm(org.id, [m.email]), `${m.email} is confirmed.`)}>Confirm</button> : null}
                  {m.confirm_refusal ? <button type="button" class="small primary" aria-label={`Confirm ${m.email}`} disabled aria-describedby={`refusal-${m.email}`} title={m.confirm_refusal}>Confirm</button> : null}
                  {m.can_reissue ? <button type="button" class="small primary" aria-label={`Re-issue the invitation of ${m.email}`} onClick={async () => {
                    setError('');
                    try { const r = await core.reissue(org.id, [m.email]); setShown({ code: r.code, emails: [m.email], mail: r.mail }); } catch (err) { setError(message(err)); }
                  }}>Re-issue</button> : null}
                  {m.can_cancel ? <button type="button" class="small" aria-label={`Cancel the invitation of ${m.email}`} onClick={() => act(() => core.cancelInvites(org.id, [m.email]), `The invitation of ${m.email} is cancelled.`)}>Cancel</button> : null}
                  {m.can_remove ? <button type="button" class="small danger" aria-label={`Remove ${m.email}`} onClick={() => setRemoving(m)}>Remove</button> : null}
                </td>
              </tr>
              {m.confirm_refusal ? (
                <tr class="member-note">
                  <td colSpan={selectMode ? 5 : 4}><p class="refusal" id={`refusal-${m.email}`}>{m.confirm_refusal}</p></td>
                </tr>
              ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
      {inviting ? <InviteDialog org={org} onClose={() => setInviting(false)} onInvited={(r) => { setInviting(false); setShown(r); }} /> : null}
      {shown ? <CodeDialog {...shown} key={shown.code} joinLink={joinLinkOf(org.id)} onClose={() => { setShown(null); props.reload(); }} /> : null}
      {compare ? <CompareDialog mine={mine} member={compare} owner={org.can_manage_members} onClose={() => setCompare(null)} /> : null}
      {removing ? <RemoveDialog org={org} member={removing} onRemoved={() => { setNote(`${removing.email} was removed.`); props.reload(); }} onClose={() => setRemoving(null)} /> : null}
    </section>
  );
}
