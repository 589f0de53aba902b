import { useState } from 'preact/hooks';
import type { OrgDetail } from '../core';
import { useApp } from '../shell/AppState';
import { Link } from '../shell/Link';
import { LeaveOrDelete } from './LeaveOrDelete';
import { OrgSecurity } from './OrgSecurity';
import { Transfer } from './Transfer';
import { TwoFactorPolicy } from './TwoFactorPolicy';

// Settings: what the organisation is, this account's place in it, the
// owner's Security section (pending rotations, the audit log), and
// leaving or deleting it; ownership transfer.
export function Settings(props: { detail: OrgDetail; reload: () => void }) {
  const app = useApp();
  const o = props.detail.org;
  const members = props.detail.roster.length;
  const [note, setNote] = useState('');
  return (
    <div class="stack-page">
      <section aria-labelledby="settings-title">
        <div class="section-head"><h2 id="settings-title">Settings</h2></div>
        <dl class="card facts">
          <div class="row"><dt>Name</dt><dd>{o.name}</dd></div>
          <div class="row"><dt>Owner</dt><dd>{o.role === 'owner' ? `you (${app.status.email})` : o.owner_email}</dd></div>
          <div class="row"><dt>Your role</dt><dd>{o.role === 'owner' ? 'owner' : 'member'}</dd></div>
          <div class="row"><dt>Members</dt><dd>{members}</dd></div>
          <div class="row"><dt>Vaults you can open</dt><dd>{props.detail.vaults.length}</dd></div>
          <div class="row"><dt>Organisation id</dt><dd><code>{o.id}</code></dd></div>
        </dl>
        <p class="muted">Account recovery through {o.name} is chosen by each member, under <Link href="/account/recovery">Account → Recovery</Link>.</p>
      </section>
      {note ? <p role="status" class="note">{note}</p> : null}
      <TwoFactorPolicy org={o} changed={(n) => { setNote(n); props.reload(); }} />
      <Transfer detail={props.detail} reload={props.reload} />
      {o.can_audit ? <OrgSecurity org={o} former={props.detail.former} /> : null}
      <LeaveOrDelete org={o} />
    </div>
  );
}
