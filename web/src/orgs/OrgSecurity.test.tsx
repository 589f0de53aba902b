import { screen } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core } from '../core';
import { org, renderInApp } from '../test/app';
import { OrgSecurity } from './OrgSecurity';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

describe('OrgSecurity', () => {
  it('lists the pending rotations in the core’s words, with the note, and links the audit log', async () => {
    vi.mocked(core.rotations).mockResolvedValue({
      note: 'A rotation completes by itself when the next person who holds that key unlocks Coffer.',
      pending: [{ kind: 'vault', object_id: 'v-1', what: 'the vault Operations', epoch: 1, reason: 'left', why: 'a member left the organisation', since: '2025-01-02T03:04:05Z' }],
    });
    renderInApp(<OrgSecurity org={org()} />);
    const list = await screen.findByRole('list', { name: 'Pending key rotations' });
    expect(list.textContent).toContain('the vault Operations: a member left the organisation');
    expect(screen.getByText(/completes by itself when the next person/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Open the audit log' }).getAttribute('href')).toBe('/orgs/o-acme/audit');
    expect(core.rotations).toHaveBeenCalledWith('o-acme');
  });

  it('lists the former members, each with the way to what they could read', async () => {
    vi.mocked(core.rotations).mockResolvedValue({ note: 'n', pending: [] });
    renderInApp(<OrgSecurity org={org()} former={['bob@acme.example']} />);
    const list = screen.getByRole('list', { name: 'Former members' });
    expect(list.textContent).toContain('bob@acme.example');
    expect(screen.getByRole('link', { name: 'What bob@acme.example could read' }).getAttribute('href')).toBe('/orgs/o-acme/exposure/bob%40acme.example');
  });

  it('says when every key is current', async () => {
    vi.mocked(core.rotations).mockResolvedValue({ note: 'n', pending: [] });
    renderInApp(<OrgSecurity org={org()} />);
    expect(await screen.findByText('None: every key is current.')).toBeTruthy();
  });
});
