import { fireEvent, render, screen, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { member } from '../test/app';
import { CompareDialog } from './CompareDialog';

describe('CompareDialog', () => {
  it('puts both fingerprints side by side, and says not to confirm a joined one whose differs', () => {
    const onClose = vi.fn();
    render(<CompareDialog mine="AAAA BBBB" member={member({ email: 'carol@acme.example', state: 'joined', fingerprint: 'CCCC DDDD' })} owner onClose={onClose} />);
    const dialog = screen.getByRole('dialog', { name: 'Compare fingerprints with carol@acme.example' });
    const region = within(dialog).getByRole('region', { name: 'Fingerprints of you and carol@acme.example' });
    expect(within(region).getByText('AAAA BBBB')).toBeTruthy();
    expect(within(region).getByText('CCCC DDDD')).toBeTruthy();
    expect(within(dialog).getByText(/do not confirm them: cancel the invitation and invite them again\.$/)).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Done' }));
    expect(onClose).toHaveBeenCalled();
  });

  it('tells an owner to remove a member whose fingerprint differs, and a member to tell the owner', () => {
    const bob = member({ email: 'bob@acme.example', state: 'confirmed', fingerprint: 'BBBB' });
    const { unmount } = render(<CompareDialog mine="AAAA" member={bob} owner onClose={vi.fn()} />);
    expect(screen.getByText(/do not share anything with them, and remove them from the organisation\.$/)).toBeTruthy();
    unmount();
    render(<CompareDialog mine="AAAA" member={bob} owner={false} onClose={vi.fn()} />);
    expect(screen.getByText(/do not share anything with them and tell the organisation's owner\.$/)).toBeTruthy();
  });
});
