// The app's screens and their URLs (docs/web.md lists them). parse and
// href are each other's inverse, so a URL shared, bookmarked or reloaded
// lands on the screen it names.

export type OrgTab = 'members' | 'groups' | 'vaults' | 'settings';
export type AccountTab = 'profile' | 'security' | 'devices' | 'recovery';
export type ItemMode = 'view' | 'edit' | 'history';
export type Tool = 'generator' | 'import' | 'export';

export type Route =
  // Passwords: vault '' is every vault; item '' is none chosen.
  | { screen: 'vault'; vault: string; item: string; mode: ItemMode }
  | { screen: 'new'; vault: string }
  | { screen: 'trash' }
  | { screen: 'orgs' } // no organisation yet: join or create one
  | { screen: 'org'; org: string; tab: OrgTab }
  | { screen: 'tools'; tool: Tool }
  | { screen: 'account'; tab: AccountTab }
  | { screen: 'admin'; q: string } // the Administrator Portal's search
  | { screen: 'admin-user'; user: string } // one account, by id
  | { screen: 'audit'; org: string; actor: string; action: string; since: string } // an organisation's audit log, filtered
  | { screen: 'exposure'; org: string; who: string } // what a (former) member could read, by address
  | { screen: 'join'; org: string; invitation: string }
  | { screen: 'login' } | { screen: 'signup' } | { screen: 'unlock' }
  | { screen: 'sso' } // back from the company's sign-in (the ticket is in the address's #)
  | { screen: 'missing'; path: string };

const orgTabs: OrgTab[] = ['members', 'groups', 'vaults', 'settings'];
const accountTabs: AccountTab[] = ['profile', 'security', 'devices', 'recovery'];
const toolPages: Tool[] = ['generator', 'import', 'export'];

// ALL is the vault segment of an item opened from "All vaults".
const ALL = 'all';

export function parse(pathname: string, search = ''): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const q = new URLSearchParams(search);
  const [a, b, c, d] = parts;
  switch (a) {
    case undefined:
      return { screen: 'vault', vault: '', item: '', mode: 'view' };
    case 'vault': {
      if (b === 'trash' && !c) return { screen: 'trash' };
      const vault = !b || b === ALL ? '' : b;
      if (c === 'new' && !d) return { screen: 'new', vault };
      if (parts.length > 4) break;
      const mode: ItemMode | undefined = !d ? 'view' : d === 'edit' || d === 'history' ? d : undefined;
      if (!mode || (d && !c)) break;
      return { screen: 'vault', vault, item: c ?? '', mode };
    }
    case 'orgs':
      if (!b) return { screen: 'orgs' };
      if (!c) return { screen: 'org', org: b, tab: 'members' };
      if (orgTabs.includes(c as OrgTab) && !d) return { screen: 'org', org: b, tab: c as OrgTab };
      if (c === 'exposure' && d && parts.length === 4) return { screen: 'exposure', org: b, who: d };
      if (c === 'audit' && !d) return { screen: 'audit', org: b, actor: q.get('actor') ?? '', action: q.get('action') ?? '', since: q.get('since') ?? '' };
      break;
    case 'tools':
      if (!b) return { screen: 'tools', tool: 'generator' };
      if (toolPages.includes(b as Tool) && !c) return { screen: 'tools', tool: b as Tool };
      break;
    case 'account':
      if (!b) return { screen: 'account', tab: 'profile' };
      // The page was called Sessions before: old links still land on it.
      if (b === 'sessions' && !c) return { screen: 'account', tab: 'devices' };
      if (accountTabs.includes(b as AccountTab) && !c) return { screen: 'account', tab: b as AccountTab };
      break;
    case 'admin':
      if (!b || (b === 'users' && !c)) return { screen: 'admin', q: q.get('q') ?? '' };
      if (b === 'users' && !d) return { screen: 'admin-user', user: c };
      break;
    case 'join':
      if (!b) return { screen: 'join', org: q.get('org') ?? '', invitation: q.get('invitation') ?? '' };
      break;
    case 'login': case 'signup': case 'unlock': case 'sso':
      if (!b) return { screen: a };
      break;
  }
  return { screen: 'missing', path: pathname };
}

const seg = encodeURIComponent;

export function href(r: Route): string {
  switch (r.screen) {
    case 'vault': {
      if (!r.item) return r.vault ? `/vault/${seg(r.vault)}` : '/vault';
      const base = `/vault/${seg(r.vault || ALL)}/${seg(r.item)}`;
      return r.mode === 'view' ? base : `${base}/${r.mode}`;
    }
    case 'new': return `/vault/${seg(r.vault || ALL)}/new`;
    case 'trash': return '/vault/trash';
    case 'orgs': return '/orgs';
    case 'org': return `/orgs/${seg(r.org)}/${r.tab}`;
    case 'tools': return `/tools/${r.tool}`;
    case 'account': return `/account/${r.tab}`;
    case 'admin': return r.q ? `/admin/users?${new URLSearchParams({ q: r.q })}` : '/admin';
    case 'admin-user': return `/admin/users/${seg(r.user)}`;
    case 'audit': {
      const q = new URLSearchParams(Object.entries({ actor: r.actor, action: r.action, since: r.since }).filter(([, v]) => v)).toString();
      return `/orgs/${seg(r.org)}/audit${q ? `?${q}` : ''}`;
    }
    case 'exposure': return `/orgs/${seg(r.org)}/exposure/${seg(r.who)}`;
    case 'join': {
      const q = new URLSearchParams();
      if (r.org) q.set('org', r.org);
      if (r.invitation) q.set('invitation', r.invitation);
      const s = q.toString();
      return s ? `/join?${s}` : '/join';
    }
    case 'login': case 'signup': case 'unlock': case 'sso': return `/${r.screen}`;
    case 'missing': return r.path;
  }
}

// title is the page title of a screen (the tab's and the history's name).
export function title(r: Route, names: { vault?: string; item?: string; org?: string; user?: string } = {}): string {
  const part = (() => {
    switch (r.screen) {
      case 'vault': return r.item ? `${names.item ?? 'Item'}${r.mode === 'edit' ? ' — edit' : r.mode === 'history' ? ' — history' : ''}` : names.vault ?? 'Passwords';
      case 'new': return 'New item';
      case 'trash': return 'Trash';
      case 'orgs': return 'Organisations';
      case 'org': return `${names.org ?? 'Organisation'} — ${r.tab[0].toUpperCase()}${r.tab.slice(1)}`;
      case 'tools': return r.tool === 'generator' ? 'Password generator' : r.tool === 'import' ? 'Import' : 'Export';
      case 'account': return `Account — ${r.tab[0].toUpperCase()}${r.tab.slice(1)}`;
      case 'admin': return 'Administrator Portal';
      case 'admin-user': return `${names.user ?? 'Account'} — Administrator Portal`;
      case 'audit': return `${names.org ?? 'Organisation'} — Audit log`;
      case 'exposure': return `${r.who} — what they could read — ${names.org ?? 'Organisation'}`;
      case 'join': return 'Join an organisation';
      case 'login': return 'Log in';
      case 'signup': return 'Create your account';
      case 'unlock': return 'Unlock';
      case 'sso': return 'Single sign-on';
      case 'missing': return 'Not found';
    }
  })();
  return `${part} · Coffer`;
}

// isOpen tells the screens that need no unlocked account.
export function isOpen(r: Route): boolean {
  return r.screen === 'login' || r.screen === 'signup' || r.screen === 'unlock' || r.screen === 'sso';
}
