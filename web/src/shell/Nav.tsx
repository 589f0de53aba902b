import { Building2, KeyRound, Shield, UserRound, Wrench } from 'lucide';
import type { Org } from '../core';
import { Icon } from '../ui/Icon';
import { Brand } from './Brand';
import { Link } from './Link';
import { OrgSwitcher } from './OrgSwitcher';
import { href, type Route } from './routes';

const orgPages = [['members', 'Members'], ['groups', 'Groups'], ['vaults', 'Vaults'], ['settings', 'Settings']] as const;
const toolPages = [['generator', 'Password generator'], ['import', 'Import'], ['export', 'Export']] as const;

// Nav is the app's one navigation: Passwords, the organisation in use and
// its four pages, Tools, Account, and the Administrator Portal for
// instance administrators.
export function Nav(props: { route: Route; orgs: Org[]; org?: Org; admin: boolean; onPick: () => void }) {
  const r = props.route;
  const at = (screen: Route['screen'][]) => screen.includes(r.screen);
  return (
    <nav class="nav" aria-label="Main">
      <Link href="/vault" class="home" onClick={props.onPick}><Brand /></Link>
      <ul>
        <li><Link href="/vault" current={at(['vault', 'new', 'trash'])} onClick={props.onPick}><Icon icon={KeyRound} /> Passwords</Link></li>
        <li class="group">
          <span class="group-title"><Icon icon={Building2} /> Organisation</span>
          {props.org ? (
            <>
              <OrgSwitcher orgs={props.orgs} current={props.org} tab={r.screen === 'org' ? r.tab : r.screen === 'audit' || r.screen === 'exposure' ? 'settings' : 'members'} />
              <ul aria-label={`${props.org.name} pages`}>
                {orgPages.map(([tab, label]) => (
                  <li key={tab}><Link href={href({ screen: 'org', org: props.org!.id, tab })} current={(r.screen === 'org' && r.org === props.org!.id && r.tab === tab) || ((r.screen === 'audit' || r.screen === 'exposure') && r.org === props.org!.id && tab === 'settings')} onClick={props.onPick}>{label}</Link></li>
                ))}
              </ul>
            </>
          ) : null}
          <ul><li><Link href="/orgs" current={at(['orgs'])} onClick={props.onPick}>{props.orgs.length ? 'Join or create another' : 'Join or create one'}</Link></li></ul>
        </li>
        <li class="group">
          <span class="group-title"><Icon icon={Wrench} /> Tools</span>
          <ul aria-label="Tools">
            {toolPages.map(([tool, label]) => (
              <li key={tool}><Link href={href({ screen: 'tools', tool })} current={r.screen === 'tools' && r.tool === tool} onClick={props.onPick}>{label}</Link></li>
            ))}
          </ul>
        </li>
        <li><Link href="/account/profile" current={at(['account'])} onClick={props.onPick}><Icon icon={UserRound} /> Account</Link></li>
        {props.admin ? <li><Link href="/admin" current={at(['admin', 'admin-user'])} onClick={props.onPick}><Icon icon={Shield} /> Administrator Portal</Link></li> : null}
      </ul>
    </nav>
  );
}
