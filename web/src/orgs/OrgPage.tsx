import { useApp } from '../shell/AppState';
import type { OrgTab } from '../shell/routes';
import { EmptyState } from '../ui/EmptyState';
import { ErrorLine } from '../ui/ErrorLine';
import { Link } from '../shell/Link';
import { Groups } from './Groups';
import { Members } from './Members';
import { Settings } from './Settings';
import { useOrgData } from './useOrgData';
import { Vaults } from './Vaults';

const tabs: [OrgTab, string][] = [['members', 'Members'], ['groups', 'Groups'], ['vaults', 'Vaults'], ['settings', 'Settings']];

// OrgPage is one organisation's page: Members, Groups, Vaults or
// Settings, with the tabs to switch between them.
export function OrgPage(props: { orgID: string; tab: OrgTab }) {
  const app = useApp();
  const org = app.orgs.find((o) => o.id === props.orgID);
  const data = useOrgData(props.orgID);
  if (!org) {
    return app.orgs.length === 0 && !data.loaded ? <p class="muted pad">Opening…</p>
      : <EmptyState title="No such organisation here" text="You are not a member of this organisation (or it is gone)."><Link href="/orgs" class="button primary">Your organisations</Link></EmptyState>;
  }
  return (
    <div class="org-page">
      <nav class="tabs" aria-label={`${org.name} pages`}>
        {tabs.map(([t, label]) => <Link key={t} href={`/orgs/${encodeURIComponent(org.id)}/${t}`} current={props.tab === t} class="tab">{label}</Link>)}
      </nav>
      <p class="muted org-line">{org.role === 'owner' ? 'You own this organisation.' : `Owner: ${org.owner_email}.`}</p>
      <ErrorLine error={data.error} />
      {props.tab === 'members' ? <Members org={org} data={data} />
        : props.tab === 'groups' ? <Groups org={org} data={data} />
        : props.tab === 'vaults' ? <Vaults org={org} data={data} />
        : <Settings org={org} data={data} />}
    </div>
  );
}
