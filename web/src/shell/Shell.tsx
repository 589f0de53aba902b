import { useEffect, useState } from 'preact/hooks';
import { core, type ItemType, type Notice, type Org, type Status, type VaultInfo } from '../core';
import { AccountPage } from '../account/AccountPage';
import { AdminPage } from '../admin/AdminPage';
import { AdminUser } from '../admin/AdminUser';
import { JoinPage } from '../orgs/JoinPage';
import { OrgPage } from '../orgs/OrgPage';
import { OrgsHome } from '../orgs/OrgsHome';
import { ExportPage } from '../tools/ExportPage';
import { GeneratorPage } from '../tools/GeneratorPage';
import { ImportPage } from '../tools/ImportPage';
import { Passwords } from '../vault/Passwords';
import { AppContext } from './AppState';
import { Banners } from './Banners';
import { Nav } from './Nav';
import { NotFound } from './NotFound';
import { RestoreDialog } from './RestoreDialog';
import { navigate, useRoute } from './router';
import { title, type Route } from './routes';
import { TopBar } from './TopBar';
import { useIdleLock } from './useIdleLock';
import { useLive } from './useLive';
import { useOffline } from './useOffline';

// currentOrg is the organisation the navigation is about: the one on
// screen, else the last one used in this browser, else the first.
function currentOrg(route: Route, orgs: Org[]): Org | undefined {
  const id = route.screen === 'org' || route.screen === 'audit' || route.screen === 'exposure' ? route.org : localStorage.getItem('coffer.org');
  return orgs.find((o) => o.id === id) ?? orgs[0];
}

const headings: Partial<Record<Route['screen'], string>> = { vault: 'Passwords', new: 'Passwords', trash: 'Passwords', orgs: 'Organisations', tools: 'Tools', account: 'Account', admin: 'Administrator Portal', 'admin-user': 'Administrator Portal', join: 'Join an organisation', missing: 'Not found' };

// signedOutElsewhere is what the unlock screen says when the server ended
// this device's session (Account → Devices or coffer devices revoke on
// another device).
export const signedOutElsewhere = 'This device was signed out from another device. Unlock to sign in again with your master password.';

// Shell is the unlocked app: the navigation, the top bar, what the whole
// app must say (banners), and the screen the address names.
export function Shell(props: { status: Status; onLock: (why?: string) => void; onLogout: () => void }) {
  const route = useRoute();
  const [tick, setTick] = useState(0);
  const changed = () => setTick((t) => t + 1);
  const [orgs, setOrgs] = useState<Org[]>([]);
  const [vaults, setVaults] = useState<VaultInfo[]>([]);
  const [types, setTypes] = useState<ItemType[]>([]);
  const [quarantined, setQuarantined] = useState<string[]>([]);
  const [notices, setNotices] = useState<Notice[]>(props.status.notices ?? []);
  const [navOpen, setNavOpen] = useState(false);
  const [query, setQuery] = useState('');
  const lock = async (why?: string) => { await core.lock().catch(() => undefined); props.onLock(why); };
  useIdleLock(() => void lock());
  const offline = useOffline(changed);
  // A server restored from a backup that this device has not accepted
  // (the unlock said so, or a sync or the live stream did): the core's
  // sentence, asked about in RestoreDialog until accepted or put off.
  const [restored, setRestored] = useState(props.status.restored ?? '');
  const [liveRun, setLiveRun] = useState(0);
  useEffect(() => {
    const on = (e: Event) => setRestored((e as CustomEvent<string>).detail);
    window.addEventListener('coffer-restored', on);
    return () => window.removeEventListener('coffer-restored', on);
  }, []);
  const live = useLive(changed, () => void lock(signedOutElsewhere), setRestored, liveRun);
  useEffect(() => {
    core.orgs().then(setOrgs, () => undefined);
    core.vaults().then(setVaults, () => undefined);
    core.quarantined().then(setQuarantined, () => undefined);
  }, [tick]);
  // The item types are the core's; they change only with the core.
  useEffect(() => { core.itemTypes().then(setTypes, () => undefined); }, []);
  // The drawer (narrow screens): opened, it takes the focus; Escape closes
  // it and gives the focus back to the menu button.
  useEffect(() => {
    if (!navOpen) return;
    document.querySelector<HTMLElement>('#nav-drawer a')?.focus();
    const esc = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setNavOpen(false);
      document.querySelector<HTMLElement>('.topbar .menu')?.focus();
    };
    window.addEventListener('keydown', esc);
    return () => window.removeEventListener('keydown', esc);
  }, [navOpen]);
  const org = currentOrg(route, orgs);
  if (route.screen === 'org' && org?.id === route.org) localStorage.setItem('coffer.org', org.id);
  const inOrg = route.screen === 'org' || route.screen === 'audit' || route.screen === 'exposure';
  const heading = inOrg ? org?.name ?? 'Organisation' : headings[route.screen] ?? 'Coffer';
  // The Administrator Portal is there for instance administrators only
  // (the server refuses everyone else all the same).
  const admin = props.status.instance_admin === true;
  useEffect(() => { document.title = title(route, { org: org?.name }); }, [route, org?.name]);
  // The open screens (log in, unlock) are behind us: go to the vault.
  useEffect(() => { if (route.screen === 'login' || route.screen === 'signup' || route.screen === 'unlock') navigate('/vault', { replace: true }); }, [route.screen]);
  const screen = (() => {
    switch (route.screen) {
      case 'vault': case 'new': case 'trash': return <Passwords route={route} query={query} />;
      case 'orgs': return <OrgsHome />;
      case 'org': return <OrgPage key={route.org} orgID={route.org} tab={route.tab} />;
      case 'audit': return <OrgPage key={route.org} orgID={route.org} tab="settings" audit={route} />;
      case 'exposure': return <OrgPage key={route.org} orgID={route.org} tab="settings" exposure={route.who} />;
      case 'admin': return admin ? <AdminPage q={route.q} /> : <NotFound path={location.pathname} />;
      case 'admin-user': return admin ? <AdminUser user={route.user} /> : <NotFound path={location.pathname} />;
      case 'tools': return route.tool === 'import' ? <ImportPage /> : route.tool === 'export' ? <ExportPage /> : <GeneratorPage />;
      case 'account': return <AccountPage tab={route.tab} onLogout={props.onLogout} />;
      case 'join': return <JoinPage org={route.org} invitation={route.invitation} />;
      case 'missing': return <NotFound path={location.pathname} />;
      default: return null;
    }
  })();
  return (
    <AppContext.Provider value={{ status: props.status, orgs, vaults, types, tick, changed }}>
      <div class={navOpen ? 'shell nav-open' : 'shell'}>
        <a class="skip" href="#main">Skip to the content</a>
        <div id="nav-drawer" class="drawer">
          <Nav route={route} orgs={orgs} org={org} admin={admin} onPick={() => setNavOpen(false)} />
        </div>
        {navOpen ? <div class="scrim" onClick={() => setNavOpen(false)} aria-hidden="true" /> : null}
        <div class="main-col">
          <TopBar title={heading} email={props.status.email ?? ''} navOpen={navOpen} onMenu={() => setNavOpen(!navOpen)} onLock={() => void lock()}
            search={route.screen === 'vault' || route.screen === 'new' ? { value: query, onInput: setQuery } : undefined} />
          <Banners notices={notices} onRead={(id) => setNotices(notices.filter((n) => n.id !== id))} quarantined={quarantined} offline={offline} live={live} />
          <main id="main" tabIndex={-1}>{screen}</main>
          {restored ? <RestoreDialog text={restored} onClose={() => setRestored('')} onAccepted={() => { changed(); setLiveRun((n) => n + 1); }} /> : null}
        </div>
      </div>
    </AppContext.Provider>
  );
}
