import { render, screen, within } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { vaultInfo } from '../test/app';
import { sortVaults, VaultsPane } from './VaultsPane';

const vaults = [vaultInfo({ id: 'v-z', label: 'Zeta/Ops' }), vaultInfo({ id: 'v-a', label: 'Acme/Eng' }), vaultInfo({ id: 'v-my', label: 'My Vault', kind: 'personal' })];

describe('VaultsPane', () => {
  it('puts My Vault first, then the others by name', () => {
    expect(sortVaults(vaults).map((v) => v.label)).toEqual(['My Vault', 'Acme/Eng', 'Zeta/Ops']);
  });

  it('links every vault and the trash, the one on screen current', () => {
    render(<VaultsPane vaults={vaults} current="v-a" trash={false} />);
    const nav = screen.getByRole('navigation', { name: 'Vaults' });
    expect(within(nav).getAllByRole('link').map((l) => [l.textContent, l.getAttribute('href')])).toEqual([
      ['All vaults', '/vault'], ['My Vault', '/vault/v-my'], ['Acme/Eng', '/vault/v-a'], ['Zeta/Ops', '/vault/v-z'], ['Trash', '/vault/trash'],
    ]);
    expect(within(nav).getByRole('link', { current: 'page' }).textContent).toBe('Acme/Eng');
  });

  it('marks the trash current on the trash', () => {
    render(<VaultsPane vaults={vaults} current="" trash />);
    expect(screen.getByRole('link', { current: 'page' }).textContent).toBe('Trash');
  });
});
