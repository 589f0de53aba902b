import { useApp } from '../shell/AppState';
import type { OrgTab, Route } from '../shell/routes';
import { AuditPage } from './AuditPage';
import { ExposurePage } from './ExposurePage';
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
// Settings, with the tabs to switch between them; audit, a page of
// Settings: the audit log, filtered as its address says; exposure, a
// page of Settings too: what a (former) member could read.
export function OrgPage(props: { orgID: string; tab: OrgTab; audit?: Extract<Route, { screen: 'audit' }>; exposure?: string }) {
  const app = useApp();
  const data = useOrgData(props.orgID);
  const org = data.detail?.org ?? app.orgs.find((o) => o.id === props.orgID);
  if (!org) {
    return !data.error ? <p class="muted pad">Opening…</p>
      : <EmptyState title="No such organisation here" text="You are not a member of this organisation (or it is gone)."><Link href="/orgs" class="button primary">Your organisations</Link></EmptyState>;
  }
  return (
    <div class="org-page">
      <nav class="tabs" aria-label={`${org.name} pages`}>
        {tabs.map(([t, label]) => <Link key={t} href={`/orgs/${encodeURIComponent(org.id)}/${t}`} current={props.tab === t} class="tab">{label}</Link>)}
      </nav>
      <p class="muted org-line">{org.role === 'owner' ? 'You own this organisation.' : `Owner: ${org.owner_email}.`}</p>
      <ErrorLine error={data.error} />
      {!data.detail ? <p class="muted pad">Opening…</p>
        : props.tab === 'members' ? <Members detail={data.detail} reload={data.reload} />
        : props.tab === 'groups' ? <Groups detail={data.detail} reload={data.reload} />
        : props.tab === 'vaults' ? <Vaults detail={data.detail} reload={data.reload} />
        : props.audit ? <AuditPage detail={data.detail} filter={props.audit} />
        : props.exposure ? <ExposurePage org={data.detail.org} who={props.exposure} />
        : <Settings detail={data.detail} reload={data.reload} />}
    </div>
  );
}
