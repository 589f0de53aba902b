import { render, screen, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { AccountPage } from './AccountPage';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

describe('AccountPage', () => {
  it.each([['profile', 'Profile', 'Profile'], ['security', 'Security', 'Change the master password'], ['devices', 'Devices', 'Devices'], ['recovery', 'Recovery', 'Account recovery']] as const)(
    'shows the %s tab, marked current', (tab, label, heading) => {
      render(<AccountPage tab={tab} onLogout={vi.fn()} />);
      const tabs = screen.getByRole('navigation', { name: 'Account pages' });
      expect(within(tabs).getByRole('link', { current: 'page' }).textContent).toBe(label);
      expect(screen.getByRole('heading', { level: 2, name: heading })).toBeTruthy();
    });
});
