import { describe, expect, it } from 'vitest';
import { href, parse, title, type Route } from './routes';

describe('routes', () => {
  const cases: [string, Route][] = [
    ['/vault', { screen: 'vault', vault: '', item: '', mode: 'view' }],
    ['/vault/v1', { screen: 'vault', vault: 'v1', item: '', mode: 'view' }],
    ['/vault/v1/i9', { screen: 'vault', vault: 'v1', item: 'i9', mode: 'view' }],
    ['/vault/all/i9', { screen: 'vault', vault: '', item: 'i9', mode: 'view' }],
    ['/vault/v1/i9/edit', { screen: 'vault', vault: 'v1', item: 'i9', mode: 'edit' }],
    ['/vault/all/i9/history', { screen: 'vault', vault: '', item: 'i9', mode: 'history' }],
    ['/vault/v1/new', { screen: 'new', vault: 'v1' }],
    ['/vault/all/new', { screen: 'new', vault: '' }],
    ['/vault/trash', { screen: 'trash' }],
    ['/orgs', { screen: 'orgs' }],
    ['/orgs/o1/groups', { screen: 'org', org: 'o1', tab: 'groups' }],
    ['/orgs/o1/settings', { screen: 'org', org: 'o1', tab: 'settings' }],
    ['/tools/generator', { screen: 'tools', tool: 'generator' }],
    ['/tools/import', { screen: 'tools', tool: 'import' }],
    ['/tools/export', { screen: 'tools', tool: 'export' }],
    ['/account/devices', { screen: 'account', tab: 'devices' }],
    ['/admin', { screen: 'admin', q: '' }],
    ['/admin/users?q=mia+%40', { screen: 'admin', q: 'mia @' }],
    ['/admin/users/u%2F1', { screen: 'admin-user', user: 'u/1' }],
    ['/orgs/o1/audit', { screen: 'audit', org: 'o1', actor: '', action: '', since: '' }],
    ['/orgs/o1/exposure/bob%40acme.example', { screen: 'exposure', org: 'o1', who: 'bob@acme.example' }],
    ['/orgs/o1/audit?actor=ann%40acme.example&action=invite&since=2025-01-31', { screen: 'audit', org: 'o1', actor: 'ann@acme.example', action: 'invite', since: '2025-01-31' }],
    ['/login', { screen: 'login' }],
    ['/join?org=o%2F1&invitation=x', { screen: 'join', org: 'o/1', invitation: 'x' }],
  ];
  it.each(cases)('%s round-trips', (url, route) => {
    const [path, search] = url.split('?');
    expect(parse(path, search ? `?${search}` : '')).toEqual(route);
    expect(href(route)).toBe(url);
  });
  it('reads the short forms', () => {
    expect(parse('/')).toEqual({ screen: 'vault', vault: '', item: '', mode: 'view' });
    expect(parse('/orgs/o1')).toEqual({ screen: 'org', org: 'o1', tab: 'members' });
    expect(parse('/account')).toEqual({ screen: 'account', tab: 'profile' });
    expect(parse('/account/sessions')).toEqual({ screen: 'account', tab: 'devices' });
    expect(parse('/admin/users')).toEqual({ screen: 'admin', q: '' });
  });
  it('names what it does not know as missing', () => {
    for (const p of ['/nope', '/vault/v1/i9/delete', '/orgs/o1/secrets', '/account/keys', '/vault/v1/i9/edit/more', '/login/x', '/admin/keys', '/admin/users/u1/more', '/orgs/o1/audit/x', '/orgs/o1/exposure', '/orgs/o1/exposure/a/b']) {
      expect(parse(p).screen, p).toBe('missing');
    }
  });
  it('encodes ids that are not URL-safe', () => {
    const r: Route = { screen: 'vault', vault: 'a b', item: 'c/d', mode: 'view' };
    expect(parse(href(r))).toEqual(r);
  });
  it('titles every screen with the product name', () => {
    expect(title({ screen: 'org', org: 'o', tab: 'members' }, { org: 'PVYvault' })).toBe('PVYvault — Members · Coffer');
    expect(title({ screen: 'vault', vault: '', item: 'x', mode: 'view' }, { item: 'Bank' })).toBe('Bank · Coffer');
  });
});
