import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError, type Recovery as RecoveryInfo } from '../core';
import { Recovery } from './Recovery';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const recovery = (enrolled: boolean): RecoveryInfo => ({ orgs: [{ id: 'o-guild', name: 'Guild', owner: 'gil@guild.example', enrolled }], requests: [] });

async function open(first: RecoveryInfo) {
  vi.mocked(core.sync).mockResolvedValue({ ok: true });
  vi.mocked(core.notices).mockResolvedValue([]);
  vi.mocked(core.recovery).mockResolvedValue(first);
  render(<Recovery />);
  await screen.findByText(/^Guild \(owner gil@guild\.example\)/);
}

describe('Recovery', () => {
  it('asks in a dialog before enrolling, then enrols', async () => {
    vi.mocked(core.enrol).mockResolvedValue({ ok: true });
    await open(recovery(false));
    fireEvent.click(screen.getByRole('button', { name: "Enrol in Guild's recovery" }));
    const dialog = screen.getByRole('alertdialog', { name: "Enrol in Guild's recovery?" });
    expect(within(dialog).getByText(/^The owner of Guild \(gil@guild\.example\) can then approve a new master password for you/)).toBeTruthy();
    expect(core.enrol).not.toHaveBeenCalled();
    vi.mocked(core.recovery).mockResolvedValue(recovery(true));
    fireEvent.click(within(dialog).getByRole('button', { name: "Enrol in Guild's recovery" }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(core.enrol).toHaveBeenCalledWith('o-guild');
    expect(await screen.findByRole('button', { name: "Leave Guild's recovery" })).toBeTruthy();
    expect(screen.getByText('enrolled')).toBeTruthy();
  });

  it('enrols in nothing when the dialog is cancelled', async () => {
    await open(recovery(false));
    fireEvent.click(screen.getByRole('button', { name: "Enrol in Guild's recovery" }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(core.enrol).not.toHaveBeenCalled();
  });

  it('says a refused enrolment in the dialog', async () => {
    vi.mocked(core.enrol).mockRejectedValue(new CoreError('Guild offers no recovery', 'error'));
    await open(recovery(false));
    fireEvent.click(screen.getByRole('button', { name: "Enrol in Guild's recovery" }));
    const dialog = screen.getByRole('alertdialog');
    fireEvent.click(within(dialog).getByRole('button', { name: "Enrol in Guild's recovery" }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Guild offers no recovery');
  });

  it('leaves at once, without a dialog', async () => {
    vi.mocked(core.leave).mockResolvedValue({ ok: true });
    await open(recovery(true));
    vi.mocked(core.recovery).mockResolvedValue(recovery(false));
    fireEvent.click(screen.getByRole('button', { name: "Leave Guild's recovery" }));
    expect(await screen.findByRole('button', { name: "Enrol in Guild's recovery" })).toBeTruthy();
    expect(core.leave).toHaveBeenCalledWith('o-guild');
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });

  it('warns of open recovery requests', async () => {
    await open({ ...recovery(true), requests: [{ id: 'r1', created_at: '', expires_at: '', granted: true }] });
    expect((await screen.findByRole('alert')).textContent).toMatch(/^1 recovery request\(s\) exist for your account, one approved\./);
  });
});
