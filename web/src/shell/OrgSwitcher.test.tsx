import { fireEvent, render, screen, within } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { org } from '../test/app';
import { OrgSwitcher } from './OrgSwitcher';

const acme = org();
const guild = org({ id: 'o-guild', name: 'Guild', role: 'member' });

describe('OrgSwitcher', () => {
  it('names the one organisation, with nothing to switch', () => {
    render(<OrgSwitcher orgs={[acme]} current={acme} tab="members" />);
    expect(screen.getByText('Acme')).toBeTruthy();
    expect(screen.queryByRole('combobox')).toBeNull();
  });

  it('switches to the same page of another organisation', () => {
    render(<OrgSwitcher orgs={[acme, guild]} current={acme} tab="vaults" />);
    const select = screen.getByRole('combobox', { name: 'Organisation' }) as HTMLSelectElement;
    expect(within(select).getAllByRole('option').map((o) => o.textContent)).toEqual(['Acme', 'Guild']);
    expect(select.value).toBe('o-acme');
    fireEvent.change(select, { target: { value: 'o-guild' } });
    expect(location.pathname).toBe('/orgs/o-guild/vaults');
    expect(localStorage.getItem('coffer.org')).toBe('o-guild'); // the organisation in use, next time too
  });
});
