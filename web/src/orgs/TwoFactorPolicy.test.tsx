import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError } from '../core';
import { org, renderInApp } from '../test/app';
import { TwoFactorPolicy } from './TwoFactorPolicy';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const note = 'While two-factor log-in is required, you cannot confirm anyone who has not turned it on.';

describe('TwoFactorPolicy', () => {
  it('lets the owner require two-factor log-in, after a dialog that says what it does', async () => {
    vi.mocked(core.setTwoFactorPolicy).mockResolvedValue({} as never);
    const changed = vi.fn();
    renderInApp(<TwoFactorPolicy org={org({ two_factor_note: note })} changed={changed} />);
    expect(screen.getByText('Not required.')).toBeTruthy();
    const box = screen.getByRole('checkbox', { name: 'Require two-factor log-in' }) as HTMLInputElement;
    fireEvent.click(box);
    expect(box.checked).toBe(false); // the dialog decides
    expect(core.setTwoFactorPolicy).not.toHaveBeenCalled();
    const dialog = await screen.findByRole('alertdialog', { name: 'Require two-factor log-in in Acme?' });
    expect(dialog.textContent).toContain(note);
    fireEvent.click(screen.getByRole('button', { name: 'Require two-factor log-in' }));
    await waitFor(() => expect(changed).toHaveBeenCalledWith('Two-factor log-in is now required of every member.'));
    expect(core.setTwoFactorPolicy).toHaveBeenCalledWith('o-acme', true);
  });

  it('says in the dialog why the server refused (the owner has no two-factor log-in)', async () => {
    vi.mocked(core.setTwoFactorPolicy).mockRejectedValue(new CoreError('the requirement holds you too: turn on two-factor log-in for your own account first (Account → Security)', 'two-factor-required'));
    renderInApp(<TwoFactorPolicy org={org({ two_factor_note: note })} changed={vi.fn()} />);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Require two-factor log-in' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Require two-factor log-in' }));
    expect(await screen.findByText(/turn on two-factor log-in for your own account first/)).toBeTruthy();
  });

  it('lets the owner stop requiring it', async () => {
    vi.mocked(core.setTwoFactorPolicy).mockResolvedValue({} as never);
    const changed = vi.fn();
    renderInApp(<TwoFactorPolicy org={org({ require_two_factor: true })} changed={changed} />);
    expect(screen.getByText(/Required: every member/)).toBeTruthy();
    fireEvent.click(screen.getByRole('checkbox', { name: 'Require two-factor log-in' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Stop requiring two-factor log-in' }));
    await waitFor(() => expect(core.setTwoFactorPolicy).toHaveBeenCalledWith('o-acme', false));
  });

  it('shows a member whether it is required, with no switch', () => {
    renderInApp(<TwoFactorPolicy org={org({ role: 'member', require_two_factor: true, can_set_two_factor_policy: false })} changed={vi.fn()} />);
    expect(screen.getByText(/Required: every member/)).toBeTruthy();
    expect(screen.queryByRole('checkbox')).toBeNull();
  });
});
