import { screen, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError } from '../core';
import { org, orgDetail, renderInApp } from '../test/app';
import { OrgPage } from './OrgPage';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

describe('OrgPage', () => {
  it('shows the tab asked for, marked current among the tabs', async () => {
    vi.mocked(core.org).mockResolvedValue(orgDetail({ org: org({ role: 'member', owner_email: 'gil@guild.example', name: 'Guild', id: 'o-guild', can_manage_groups: false }) }));
    renderInApp(<OrgPage orgID="o-guild" tab="groups" />);
    expect(await screen.findByRole('heading', { name: 'Groups' })).toBeTruthy();
    const tabs = screen.getByRole('navigation', { name: 'Guild pages' });
    expect(within(tabs).getByRole('link', { current: 'page' }).textContent).toBe('Groups');
    expect(within(tabs).getByRole('link', { name: 'Settings' }).getAttribute('href')).toBe('/orgs/o-guild/settings');
    expect(screen.getByText('Owner: gil@guild.example.')).toBeTruthy();
    expect(core.org).toHaveBeenCalledWith('o-guild');
  });

  it('says when the organisation is not one of this account', async () => {
    vi.mocked(core.org).mockRejectedValue(new CoreError('no organisation o-x', 'not-found'));
    renderInApp(<OrgPage orgID="o-x" tab="members" />);
    expect(await screen.findByRole('heading', { name: 'No such organisation here' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Your organisations' }).getAttribute('href')).toBe('/orgs');
  });

  it('lets go of an organisation that goes while it is open (unbound, left)', async () => {
    const guild = org({ role: 'member', name: 'Guild', id: 'o-guild' });
    vi.mocked(core.org).mockResolvedValueOnce(orgDetail({ org: guild })).mockRejectedValue(new CoreError('organisation "o-guild": not found', 'not-found'));
    const { rerenderInApp } = renderInApp(<OrgPage orgID="o-guild" tab="settings" />, { orgs: [guild] });
    expect(await screen.findByRole('heading', { name: 'Settings' })).toBeTruthy();
    rerenderInApp(<OrgPage orgID="o-guild" tab="settings" />, { orgs: [], tick: 1 });
    expect(await screen.findByRole('heading', { name: 'No such organisation here' })).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Settings' })).toBeNull();
  });

  it('shows the audit log as a page of Settings', async () => {
    vi.mocked(core.org).mockResolvedValue(orgDetail());
    vi.mocked(core.audit).mockResolvedValue({ actions: [], entries: [] });
    renderInApp(<OrgPage orgID="o-acme" tab="settings" audit={{ screen: 'audit', org: 'o-acme', actor: '', action: '', since: '' }} />);
    expect(await screen.findByRole('heading', { name: 'Audit log' })).toBeTruthy();
    expect(within(screen.getByRole('navigation', { name: 'Acme pages' })).getByRole('link', { current: 'page' }).textContent).toBe('Settings');
  });

  it('shows the settings with this account in them', async () => {
    vi.mocked(core.org).mockResolvedValue(orgDetail({ roster: ['ann@acme.example', 'bob@acme.example'] }));
    renderInApp(<OrgPage orgID="o-acme" tab="settings" />);
    expect(await screen.findByText('you (ann@acme.example)')).toBeTruthy();
    expect(screen.getByText('You own this organisation.')).toBeTruthy();
  });
});
