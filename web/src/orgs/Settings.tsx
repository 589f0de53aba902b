import type { Org } from '../core';
import { useApp } from '../shell/AppState';
import { Link } from '../shell/Link';
import type { OrgData } from './useOrgData';

// Settings: what the organisation is, and this account's place in it.
export function Settings(props: { org: Org; data: OrgData }) {
  const app = useApp();
  const o = props.org;
  const members = props.data.members.filter((m) => m.state === 'confirmed' || m.state === 'owner').length;
  return (
    <section aria-labelledby="settings-title">
      <div class="section-head"><h2 id="settings-title">Settings</h2></div>
      <dl class="card facts">
        <div class="row"><dt>Name</dt><dd>{o.name}</dd></div>
        <div class="row"><dt>Owner</dt><dd>{o.role === 'owner' ? `you (${app.status.email})` : o.owner_email}</dd></div>
        <div class="row"><dt>Your role</dt><dd>{o.role === 'owner' ? 'owner' : 'member'}</dd></div>
        <div class="row"><dt>Members</dt><dd>{props.data.loaded ? members : '…'}</dd></div>
        <div class="row"><dt>Vaults you can open</dt><dd>{props.data.loaded ? props.data.vaults.length : '…'}</dd></div>
        <div class="row"><dt>Organisation id</dt><dd><code>{o.id}</code></dd></div>
      </dl>
      <p class="muted">Account recovery through {o.name} is chosen by each member, under <Link href="/account/recovery">Account → Recovery</Link>.</p>
    </section>
  );
}
