import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError, type JoinState } from '../core';
import { renderInApp } from '../test/app';
import { JoinPage } from './JoinPage';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const state = (s: Partial<JoinState> & { state: string; text: string }): JoinState => s;

function open(first: JoinState) {
  vi.mocked(core.joinStatus).mockResolvedValue(first);
  return renderInApp(<JoinPage org="o-acme" invitation="inv-1" />);
}

describe('JoinPage', () => {
  it('shows the join form for an open invitation', async () => {
    open(state({ state: 'invited', org_id: 'o-acme', invitation_id: 'inv-1', owner: 'ann@acme.example', text: 'ann@acme.example invited you.' }));
    expect(await screen.findByRole('textbox', { name: 'Confirmation code' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'You were invited' })).toBeTruthy();
    expect(screen.queryByRole('textbox', { name: /^Organisation/ })).toBeNull(); // the link named it
    expect(core.joinStatus).toHaveBeenCalledWith('o-acme', 'inv-1');
  });

  it.each([
    ['locked', 'This invitation is locked after too many wrong codes: ask whoever invited you to invite you again.', 'Your organisations'],
    ['joined', 'You joined Acme; its owner confirms you next.', 'Go to Passwords'],
    ['none', 'There is no invitation for this account here.', 'Your organisations'],
  ])("shows the core's words, not the form, when the invitation is %s", async (st, text, link) => {
    open(state({ state: st, org_name: 'Acme', text }));
    expect((await screen.findByRole('status')).textContent).toBe(text);
    expect(screen.queryByRole('textbox', { name: 'Confirmation code' })).toBeNull();
    expect(screen.getByRole('link', { name: link })).toBeTruthy();
  });

  it('links to the organisation for a member', async () => {
    open(state({ state: 'member', org_id: 'o-acme', org_name: 'Acme', text: 'You are a member of Acme.' }));
    expect((await screen.findByRole('link', { name: 'Acme' })).getAttribute('href')).toBe('/orgs/o-acme/members');
    expect(screen.getByRole('link', { name: 'Go to Passwords' }).getAttribute('href')).toBe('/vault');
  });

  it('reads the status anew when the app changes (the owner confirmed)', async () => {
    const r = open(state({ state: 'joined', text: 'You joined Acme; its owner confirms you next.' }));
    await screen.findByText('You joined Acme; its owner confirms you next.');
    vi.mocked(core.joinStatus).mockResolvedValue(state({ state: 'member', org_id: 'o-acme', org_name: 'Acme', text: 'You are a member of Acme.' }));
    r.rerenderInApp(<JoinPage org="o-acme" invitation="inv-1" />, { tick: 1 });
    expect(await screen.findByText('You are a member of Acme.')).toBeTruthy();
    expect(screen.queryByText('You joined Acme; its owner confirms you next.')).toBeNull();
    expect(core.joinStatus).toHaveBeenCalledTimes(2);
  });

  it('reads the status anew after joining', async () => {
    const { app } = open(state({ state: 'invited', org_id: 'o-acme', invitation_id: 'inv-1', text: '' }));
    vi.mocked(core.join).mockResolvedValue({ org_id: 'o-acme', org_name: 'Acme', owner_email: 'ann@acme.example', owner_name: 'Ann' });
    fireEvent.input(await screen.findByRole('textbox', { name: 'Confirmation code' }), { target: { value: 'CODE-1' } });
    vi.mocked(core.joinStatus).mockResolvedValue(state({ state: 'joined', text: 'You joined Acme; its owner confirms you next.' }));
    fireEvent.click(screen.getByRole('button', { name: 'Join' }));
    expect(await screen.findByText('You joined Acme; its owner confirms you next.')).toBeTruthy();
    expect(core.join).toHaveBeenCalledWith('inv-1', 'CODE-1');
    await waitFor(() => expect(app.changed).toHaveBeenCalled());
  });

  it('asks the core again after a failed join (the invitation may be locked now)', async () => {
    open(state({ state: 'invited', org_id: 'o-acme', invitation_id: 'inv-1', text: '' }));
    vi.mocked(core.join).mockRejectedValue(new CoreError('wrong code (0 of 5 attempts left)', 'wrong-code'));
    fireEvent.input(await screen.findByRole('textbox', { name: 'Confirmation code' }), { target: { value: 'WRONG' } });
    const locked = 'This invitation is locked after too many wrong codes: ask whoever invited you to invite you again.';
    vi.mocked(core.joinStatus).mockResolvedValue(state({ state: 'locked', text: locked }));
    fireEvent.click(screen.getByRole('button', { name: 'Join' }));
    expect((await screen.findByRole('status')).textContent).toBe(locked);
    expect(screen.queryByRole('textbox', { name: 'Confirmation code' })).toBeNull();
  });

  it('checks again on a locked invitation, and finds the re-issued one', async () => {
    open(state({ state: 'locked', text: 'This invitation is locked.' }));
    vi.mocked(core.joinStatus).mockResolvedValue(state({ state: 'invited', org_id: 'o-acme', invitation_id: 'inv-2', text: '' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Check again' }));
    expect(await screen.findByRole('textbox', { name: 'Confirmation code' })).toBeTruthy();
    expect(core.joinStatus).toHaveBeenCalledTimes(2);
  });

  it("says the core's error in words", async () => {
    vi.mocked(core.joinStatus).mockRejectedValue(new CoreError('not found', 'not-found'));
    renderInApp(<JoinPage org="o-x" invitation="" />);
    expect((await screen.findByRole('alert')).textContent).toBe('not found');
    expect(screen.queryByText('Opening…')).toBeNull();
  });
});
