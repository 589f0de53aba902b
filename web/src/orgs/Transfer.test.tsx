import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError } from '../core';
import { member, org, orgDetail, renderInApp } from '../test/app';
import { Transfer } from './Transfer';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const members = [
  member({ email: 'ann@acme.example', state: 'owner', me: true }),
  member({ email: 'bob@acme.example', state: 'confirmed' }),
  member({ email: 'carol@acme.example', state: 'confirmed' }),
  member({ email: 'dave@acme.example', state: 'invited' }),
];

describe('Transfer', () => {
  it('lets the owner offer the organisation to a confirmed member', async () => {
    vi.mocked(core.offerOwnership).mockResolvedValue({ ok: true });
    const reload = vi.fn();
    renderInApp(<Transfer detail={orgDetail({ org: org({ can_transfer: true, transfer_note: 'When the offer is accepted…' }), members })} reload={reload} />);
    expect(screen.getByText('When the offer is accepted…')).toBeTruthy();
    const pick = screen.getByRole('combobox', { name: 'Offer to' });
    expect([...(pick as HTMLSelectElement).options].map((o) => o.value)).toEqual(['bob@acme.example', 'carol@acme.example']);
    fireEvent.change(pick, { target: { value: 'carol@acme.example' } });
    fireEvent.click(screen.getByRole('button', { name: 'Offer ownership' }));
    await waitFor(() => expect(core.offerOwnership).toHaveBeenCalledWith('o-acme', 'carol@acme.example'));
    expect(await screen.findByText('Acme is offered to carol@acme.example.')).toBeTruthy();
    expect(reload).toHaveBeenCalled();
  });

  it('shows the open offer and withdraws it; a kind is said in words', async () => {
    vi.mocked(core.withdrawOwnership).mockRejectedValue(new CoreError('no open ownership offer (not found) of Acme', 'not-found'));
    renderInApp(<Transfer detail={orgDetail({ org: org({ can_transfer: true, offered_to: 'bob@acme.example', offered_at: '2025-01-01T00:00:00Z' }), members })} reload={vi.fn()} />);
    expect(screen.getByText('bob@acme.example', { selector: 'strong' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Offer instead' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Withdraw the offer' }));
    expect((await screen.findByRole('alert')).textContent).toBeTruthy();
    expect(core.withdrawOwnership).toHaveBeenCalledWith('o-acme');
  });

  it('offers the member the ownership, and says what accepting changed', async () => {
    vi.mocked(core.acceptOwnership).mockResolvedValue({ org: 'o-acme', name: 'Acme', vaults: 2, recovery_turned_off: false, message: 'You own Acme now.' });
    const reload = vi.fn();
    const me = org({ role: 'member', can_transfer: false, can_audit: false, offered_to: 'bob@acme.example', offered_to_you: true, can_accept_ownership: true, transfer_note: 'note' });
    renderInApp(<Transfer detail={orgDetail({ org: me, members })} reload={reload} />);
    expect(screen.getByRole('heading', { name: 'ann@acme.example offers you ownership of Acme' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Accept ownership of Acme' }));
    expect(await screen.findByText('You own Acme now.')).toBeTruthy();
    expect(core.acceptOwnership).toHaveBeenCalledWith('o-acme');
    expect(reload).toHaveBeenCalled();
  });

  it('shows nothing to a member nobody offered it to', () => {
    const { container } = renderInApp(<Transfer detail={orgDetail({ org: org({ role: 'member', can_transfer: false }), members })} reload={vi.fn()} />);
    expect(container.textContent).toBe('');
  });
});
