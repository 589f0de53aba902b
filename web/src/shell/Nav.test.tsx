import { fireEvent, render, screen, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { org } from '../test/app';
import { Nav } from './Nav';
import { parse } from './routes';

const acme = org();
const guild = org({ id: 'o-guild', name: 'Guild', role: 'member', owner_email: 'gil@guild.example' });

function show(path: string, over: { orgs?: typeof acme[]; org?: typeof acme; admin?: boolean } = {}) {
  const onPick = vi.fn();
  const orgs = over.orgs ?? [acme, guild];
  render(<Nav route={parse(path)} orgs={orgs} org={'org' in over ? over.org : orgs[0]} admin={over.admin ?? false} onPick={onPick} />);
  return { onPick, nav: screen.getByRole('navigation', { name: 'Main' }) };
}

const current = (nav: HTMLElement) => within(nav).queryAllByRole('link', { current: 'page' }).map((l) => l.textContent!.trim());

describe('Nav', () => {
  it("links the current organisation's pages", () => {
    const { nav } = show('/vault', { org: guild });
    const pages = within(nav).getByRole('list', { name: 'Guild pages' });
    expect(within(pages).getAllByRole('link').map((l) => [l.textContent, l.getAttribute('href')])).toEqual([
      ['Members', '/orgs/o-guild/members'], ['Groups', '/orgs/o-guild/groups'], ['Vaults', '/orgs/o-guild/vaults'], ['Settings', '/orgs/o-guild/settings'],
    ]);
    expect(within(nav).queryByRole('list', { name: 'Acme pages' })).toBeNull();
  });

  it('marks the page on screen as current, and only it', () => {
    expect(current(show('/vault/v1/i9').nav)).toEqual(['Passwords']);
  });

  it('marks an organisation page as current', () => {
    const { nav } = show('/orgs/o-acme/groups');
    expect(current(nav)).toEqual(['Groups']);
    expect(within(within(nav).getByRole('list', { name: 'Acme pages' })).getByRole('link', { name: 'Groups', current: 'page' })).toBeTruthy();
  });

  it.each([['/vault/trash', 'Passwords'], ['/tools/generator', 'Password generator'], ['/tools/import', 'Import'], ['/tools/export', 'Export'], ['/account/security', 'Account'], ['/orgs', 'Join or create another']])('marks %s as %s', (path, name) => {
    expect(current(show(path).nav)).toEqual([name]);
  });

  it('shows the Administrator Portal only to an administrator', () => {
    const { nav } = show('/vault');
    expect(within(nav).queryByRole('link', { name: 'Administrator Portal' })).toBeNull();
  });

  it('links the Administrator Portal for an administrator', () => {
    const { nav } = show('/admin', { admin: true });
    expect(within(nav).getByRole('link', { name: 'Administrator Portal', current: 'page' }).getAttribute('href')).toBe('/admin');
  });

  it('keeps the Administrator Portal current on an account’s page', () => {
    const { nav } = show('/admin/users/u1', { admin: true });
    expect(current(nav)).toEqual(['Administrator Portal']);
  });

  it('keeps Settings current on the audit log, a page of Settings', () => {
    const { nav } = show(`/orgs/${acme.id}/audit`);
    expect(current(nav)).toEqual(['Settings']);
  });

  it('offers joining or creating one when there is no organisation', () => {
    const { nav } = show('/vault', { orgs: [], org: undefined });
    expect(within(nav).getByRole('link', { name: 'Join or create one' }).getAttribute('href')).toBe('/orgs');
    expect(within(nav).queryByRole('link', { name: 'Members' })).toBeNull();
  });

  it('navigates inside the app and says a page was picked (closing the drawer)', () => {
    const { nav, onPick } = show('/vault');
    fireEvent.click(within(nav).getByRole('link', { name: 'Import' }));
    expect(location.pathname).toBe('/tools/import');
    expect(onPick).toHaveBeenCalled();
  });
});
