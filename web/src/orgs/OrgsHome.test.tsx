import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError } from '../core';
import { org, renderInApp } from '../test/app';
import { OrgsHome } from './OrgsHome';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

describe('OrgsHome', () => {
  it('lists the organisations and the invitations not yet become one', async () => {
    vi.mocked(core.invitations).mockResolvedValue([
      { id: 'inv-1', org_id: 'o-acme', state: 'invited', owner: 'ann@acme.example' }, // already a member
      { id: 'inv-2', org_id: 'o-guild', state: 'invited', owner: 'gil@guild.example' },
      { id: 'inv-3', org_id: 'o-club', state: 'joined', owner: 'cy@club.example' },
    ]);
    renderInApp(<OrgsHome />, { orgs: [org(), org({ id: 'o-x', name: 'Xeno', role: 'member', owner_email: 'xi@xeno.example' })] });
    const yours = screen.getByRole('region', { name: 'Your organisations' });
    expect(within(yours).getByRole('link', { name: 'Acme' }).getAttribute('href')).toBe('/orgs/o-acme/members');
    expect(within(yours).getByText('owner xi@xeno.example')).toBeTruthy();
    const invitations = await screen.findByRole('region', { name: 'Invitations' });
    expect(within(invitations).getAllByRole('listitem').map((l) => l.textContent)).toEqual([
      'gil@guild.example invited you to an organisation: join it below with the code they give you.',
      'You joined an organisation of cy@club.example; they confirm you next, and its vaults appear then.',
    ]);
  });

  it('creates an organisation and goes to it', async () => {
    vi.mocked(core.invitations).mockResolvedValue([]);
    vi.mocked(core.createOrg).mockResolvedValue(org({ id: 'o-new', name: 'Newco' }));
    const { app } = renderInApp(<OrgsHome />);
    expect(screen.queryByRole('region', { name: 'Your organisations' })).toBeNull();
    fireEvent.input(screen.getByRole('textbox', { name: 'New organisation' }), { target: { value: 'Newco' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(location.pathname).toBe('/orgs/o-new/members'));
    expect(core.createOrg).toHaveBeenCalledWith('Newco');
    expect(localStorage.getItem('coffer.org')).toBe('o-new');
    expect(app.changed).toHaveBeenCalled();
  });

  it('says a refused name in words', async () => {
    vi.mocked(core.invitations).mockResolvedValue([]);
    vi.mocked(core.createOrg).mockRejectedValue(new CoreError('an organisation named Acme exists', 'exists'));
    renderInApp(<OrgsHome />);
    fireEvent.input(screen.getByRole('textbox', { name: 'New organisation' }), { target: { value: 'Acme' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect((await screen.findByRole('alert')).textContent).toBe('an organisation named Acme exists');
    expect(location.pathname).toBe('/');
  });

  it('says whom to wait for after joining', async () => {
    vi.mocked(core.invitations).mockResolvedValue([]);
    vi.mocked(core.join).mockResolvedValue({ org_id: 'o-guild', org_name: 'Guild', owner_email: 'gil@guild.example', owner_name: 'Gil' });
    renderInApp(<OrgsHome />);
    fireEvent.input(screen.getByRole('textbox', { name: /^Organisation/ }), { target: { value: 'Guild' } });
    fireEvent.input(screen.getByRole('textbox', { name: 'Confirmation code' }), { target: { value: 'C0DE' } });
    fireEvent.click(screen.getByRole('button', { name: 'Join' }));
    expect((await screen.findByRole('status')).textContent).toBe('You joined Guild. Its owner, gil@guild.example, confirms you next; its vaults appear in Passwords then.');
  });
});
