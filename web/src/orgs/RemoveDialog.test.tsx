import { fireEvent, screen, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError } from '../core';
import { member, org, renderInApp } from '../test/app';
import { RemoveDialog } from './RemoveDialog';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const bob = member({ email: 'bob@acme.example', state: 'confirmed', can_remove: true });

describe('RemoveDialog', () => {
  it('removes, then links what they could read', async () => {
    vi.mocked(core.removeMember).mockResolvedValue({ ok: true });
    const onRemoved = vi.fn();
    const onClose = vi.fn();
    renderInApp(<RemoveDialog org={org()} member={bob} onRemoved={onRemoved} onClose={onClose} />);
    fireEvent.click(screen.getByRole('button', { name: 'Remove bob@acme.example from Acme' }));
    const done = await screen.findByRole('alertdialog', { name: 'bob@acme.example was removed' });
    expect(onRemoved).toHaveBeenCalled();
    expect(within(done).getByText(/they may have copied/)).toBeTruthy();
    const link = within(done).getByRole('link', { name: 'What they could read' });
    expect(link.getAttribute('href')).toBe('/orgs/o-acme/exposure/bob%40acme.example');
    expect(onClose).not.toHaveBeenCalled();
  });

  it('says a failure in the dialog and removes nobody', async () => {
    vi.mocked(core.removeMember).mockRejectedValue(new CoreError('not allowed: only the owner removes members', 'not-allowed'));
    const onRemoved = vi.fn();
    renderInApp(<RemoveDialog org={org()} member={bob} onRemoved={onRemoved} onClose={vi.fn()} />);
    fireEvent.click(screen.getByRole('button', { name: 'Remove bob@acme.example from Acme' }));
    expect((await screen.findByRole('alert')).textContent).toBeTruthy();
    expect(onRemoved).not.toHaveBeenCalled();
    expect(screen.getByRole('alertdialog', { name: 'Remove bob@acme.example?' })).toBeTruthy();
  });
});
