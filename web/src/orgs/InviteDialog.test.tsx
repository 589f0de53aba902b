import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError, type Addresses } from '../core';
import { org } from '../test/app';
import { InviteDialog } from './InviteDialog';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

// checked answers checkAddresses as the core would for each text typed.
function checked(answers: Record<string, Addresses>) {
  vi.mocked(core.checkAddresses).mockImplementation(async (text: string) => answers[text] ?? { emails: [], bad: [], max: 50 });
}

function open() {
  const onClose = vi.fn(), onInvited = vi.fn();
  render(<InviteDialog org={org()} onClose={onClose} onInvited={onInvited} />);
  const dialog = screen.getByRole('dialog', { name: 'Invite people to Acme' });
  const box = within(dialog).getByRole('textbox', { name: /^E-mail addresses/ });
  const type = (text: string) => fireEvent.input(box, { target: { value: text } });
  return { onClose, onInvited, dialog, box, type };
}

describe('InviteDialog', () => {
  it("counts the addresses as the core reads them, and names the bad ones", async () => {
    checked({
      'a@x.example\nb@x.example': { emails: ['a@x.example', 'b@x.example'], bad: [], max: 50 },
      'a@x.example\nnope': { emails: ['a@x.example'], bad: ['nope'], max: 50, problem: 'Not an address: nope.' },
    });
    const { box, type } = open();
    type('a@x.example\nb@x.example');
    expect(await screen.findByText('2 addresses')).toBeTruthy();
    type('a@x.example\nnope');
    expect(await screen.findByText('Not an address: nope')).toBeTruthy();
    expect(screen.getByRole('textbox', { description: 'Not an address: nope' })).toBe(box);
  });

  it("shows the core's problem and sends nothing", async () => {
    const many = Array.from({ length: 51 }, (_, i) => `p${i}@x.example`);
    checked({ [many.join('\n')]: { emails: many, bad: [], max: 50, problem: 'At most 50 addresses at a time.' } });
    const { dialog, type, onInvited } = open();
    type(many.join('\n'));
    expect(await within(dialog).findByText('51 addresses — at most 50')).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Invite' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('At most 50 addresses at a time. Nothing was sent.');
    expect(core.invite).not.toHaveBeenCalled();
    expect(core.reissue).not.toHaveBeenCalled();
    expect(onInvited).not.toHaveBeenCalled();
  });

  it('invites the addresses the core read', async () => {
    checked({ ' A@X.example, b@x.example ': { emails: ['a@x.example', 'b@x.example'], bad: [], max: 50 } });
    vi.mocked(core.invite).mockResolvedValue({ code: 'CODE-1', mail: 'sent', reissued: [] });
    const { dialog, type, onInvited } = open();
    type(' A@X.example, b@x.example ');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Invite' }));
    await waitFor(() => expect(onInvited).toHaveBeenCalledWith({ code: 'CODE-1', emails: ['a@x.example', 'b@x.example'], mail: 'sent' }));
    expect(core.invite).toHaveBeenCalledWith('o-acme', ['a@x.example', 'b@x.example']);
  });

  it('offers Re-issue when an invitation still works, which re-issues it', async () => {
    checked({ 'b@x.example': { emails: ['b@x.example'], bad: [], max: 50 } });
    vi.mocked(core.invite).mockRejectedValue(new CoreError('b@x.example has an invitation that still works', 'already-invited'));
    vi.mocked(core.reissue).mockResolvedValue({ code: 'CODE-2', mail: 'none', reissued: ['b@x.example'] });
    const { dialog, type, onInvited } = open();
    type('b@x.example');
    expect(within(dialog).queryByRole('button', { name: 'Re-issue the invitations' })).toBeNull();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Invite' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('b@x.example has an invitation that still works');
    expect(onInvited).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Re-issue the invitations' }));
    await waitFor(() => expect(onInvited).toHaveBeenCalledWith({ code: 'CODE-2', emails: ['b@x.example'], mail: 'none' }));
    expect(core.reissue).toHaveBeenCalledWith('o-acme', ['b@x.example']);
  });

  it('asks for a proven address when the server wants one', async () => {
    checked({ 'b@x.example': { emails: ['b@x.example'], bad: [], max: 50 } });
    vi.mocked(core.invite).mockRejectedValue(new CoreError('verify first', 'unverified'));
    const { dialog, type } = open();
    type('b@x.example');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Invite' }));
    expect(await within(dialog).findByRole('button', { name: 'Send me a code' })).toBeTruthy();
  });

  it('says so when the addresses cannot be checked, and sends nothing', async () => {
    vi.mocked(core.checkAddresses).mockRejectedValue(new CoreError('unreachable', 'offline'));
    const { dialog, type } = open();
    type('b@x.example');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Invite' }));
    expect((await within(dialog).findByRole('alert')).textContent).toMatch(/^The server cannot be reached\./);
    expect(core.invite).not.toHaveBeenCalled();
    expect((within(dialog).getByRole('button', { name: 'Invite' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('closes on Cancel, sending nothing', () => {
    const { dialog, onClose } = open();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(onClose).toHaveBeenCalled();
    expect(core.invite).not.toHaveBeenCalled();
  });
});
