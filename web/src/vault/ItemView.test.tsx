import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError, type Field } from '../core';
import { item, renderInApp } from '../test/app';
import { ItemView } from './ItemView';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const f = (name: string, label: string, value: string, more: Partial<Field> = {}): Field => ({ name, label, value, kind: 'text', secret: false, copyable: true, ...more });

// A login as the core lists its fields: which, in what order, with which
// labels — custom fields too.
const values: Field[] = [
  f('username', 'Username', 'ann'),
  f('password', 'Password', 'hunter2-correct-horse', { kind: 'password', secret: true }),
  f('url', 'Website', 'https://github.com/login', { kind: 'url' }),
  f('field:PIN', 'PIN', '4711', { kind: 'hidden', secret: true, custom: true }),
  f('field:Floor', 'Floor', 'third', { custom: true }),
  f('notes', 'Notes', 'line one\nline two', { kind: 'multiline' }),
  f('tags', 'Tags', 'work, dev', { copyable: false }),
];

const handlers = () => ({ onClose: vi.fn(), onEdit: vi.fn(), onHistory: vi.fn(), onGone: vi.fn() });

function show(over: Parameters<typeof item>[0] = {}) {
  const it = item({ values, ...over });
  vi.mocked(core.get).mockResolvedValue(it);
  const h = handlers();
  const r = renderInApp(<ItemView id={it.id} {...h} />);
  return { ...r, ...h, it };
}

const toolbar = () => screen.getByRole('toolbar', { name: 'Item actions' });

describe('ItemView', () => {
  it("shows the core's fields in the core's order, custom fields too", async () => {
    show();
    await screen.findByRole('heading', { name: 'GitHub' });
    expect(core.get).toHaveBeenCalledWith('i-1');
    expect(screen.getAllByRole('term').map((t) => t.textContent)).toEqual(['Username', 'Password', 'Website', 'PIN', 'Floor', 'Notes', 'Tags', 'Revision']);
    expect(screen.getByText('third')).toBeTruthy();
    expect(screen.getByText('work, dev')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy Floor' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Copy Tags' })).toBeNull(); // not copyable
    expect(screen.getByRole('link', { name: 'Open Website' }).getAttribute('href')).toBe('https://github.com/login');
    expect(screen.getByText('Login · My Vault')).toBeTruthy();
  });

  it('masks the secrets until Reveal, and hides them again', async () => {
    show();
    await screen.findByRole('heading', { name: 'GitHub' });
    expect(screen.queryByText('hunter2-correct-horse')).toBeNull();
    expect(screen.queryByText('4711')).toBeNull();
    expect(screen.getAllByText('hidden')).toHaveLength(2);
    expect(screen.getByText('ann')).toBeTruthy(); // not a secret
    fireEvent.click(within(toolbar()).getByRole('button', { name: 'Reveal secrets', pressed: false }));
    expect(screen.getByText('hunter2-correct-horse')).toBeTruthy();
    expect(screen.getByText('4711')).toBeTruthy();
    fireEvent.click(within(toolbar()).getByRole('button', { name: 'Hide secrets', pressed: true }));
    expect(screen.queryByText('hunter2-correct-horse')).toBeNull();
  });

  it('offers no Reveal where nothing is secret', async () => {
    show({ values: [f('username', 'Username', 'ann')] });
    await screen.findByRole('heading', { name: 'GitHub' });
    expect(within(toolbar()).queryByRole('button', { name: /secrets/ })).toBeNull();
  });

  it('offers every action the core allows', async () => {
    const { onEdit, onHistory } = show();
    await screen.findByRole('heading', { name: 'GitHub' });
    const names = within(toolbar()).getAllByRole('button').map((b) => b.textContent!.trim());
    expect(names).toEqual(['Reveal secrets', 'Edit', 'Share', 'Move', 'History', 'Move to trash']);
    fireEvent.click(within(toolbar()).getByRole('button', { name: 'Edit' }));
    expect(onEdit).toHaveBeenCalled();
    fireEvent.click(within(toolbar()).getByRole('button', { name: 'History' }));
    expect(onHistory).toHaveBeenCalled();
    expect(screen.getByText('Attach a file')).toBeTruthy();
    expect(screen.queryByText(/^View only/)).toBeNull();
  });

  it('shows a view-only item with no edit controls', async () => {
    show({ permission: 'view', can_edit: false, can_share: false, can_move: false, can_trash: false });
    await screen.findByRole('heading', { name: 'GitHub' });
    for (const name of ['Edit', 'Share', 'Move', 'Move to trash']) expect(within(toolbar()).queryByRole('button', { name })).toBeNull();
    expect(within(toolbar()).getByRole('button', { name: 'History' })).toBeTruthy();
    expect(within(toolbar()).getByRole('button', { name: 'Reveal secrets' })).toBeTruthy(); // reading is allowed
    expect(screen.getByText(/^View only: you can read and copy this item\. Whoever manages My Vault can change it\./)).toBeTruthy();
    expect(screen.queryByText('Attach a file')).toBeNull();
    expect(screen.getByRole('button', { name: 'Copy Password' })).toBeTruthy();
  });

  it("shows a one-time code for a field of kind 'totp'", async () => {
    vi.mocked(core.totp).mockResolvedValue({ code: '492039', seconds_left: 17 });
    show({ values: [f('username', 'Username', 'ann'), f('totp', 'One-time code', '', { kind: 'totp', secret: true })] });
    expect(await screen.findByText('492039')).toBeTruthy();
    expect(core.totp).toHaveBeenCalledWith('i-1');
    expect(screen.getAllByRole('term').map((t) => t.textContent)).toEqual(['Username', 'One-time code', 'Revision']);
    expect(screen.getByRole('timer', { name: /^1[67] seconds left$/ })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy one-time code' })).toBeTruthy();
  });

  it('moves the item to the trash and leaves', async () => {
    vi.mocked(core.trash).mockResolvedValue({ ok: true });
    const { app, onGone } = show();
    await screen.findByRole('heading', { name: 'GitHub' });
    fireEvent.click(within(toolbar()).getByRole('button', { name: 'Move to trash' }));
    await waitFor(() => expect(onGone).toHaveBeenCalled());
    expect(core.trash).toHaveBeenCalledWith('i-1');
    expect(app.changed).toHaveBeenCalled();
  });

  it('opens the Move and Share dialogs, and says what they did', async () => {
    vi.mocked(core.move).mockResolvedValue({ id: 'i-1', vault: 'Acme/Eng' });
    const { app } = show({ move_targets: [{ id: 'v-eng', label: 'Acme/Eng' }] });
    await screen.findByRole('heading', { name: 'GitHub' });
    fireEvent.click(within(toolbar()).getByRole('button', { name: 'Share' }));
    const share = screen.getByRole('dialog', { name: 'Share GitHub' });
    fireEvent.click(within(share).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    fireEvent.click(within(toolbar()).getByRole('button', { name: 'Move' }));
    const move = screen.getByRole('dialog', { name: 'Move GitHub' });
    fireEvent.click(within(move).getByRole('button', { name: 'Move to Acme/Eng' }));
    expect((await screen.findByRole('status')).textContent).toBe('Moved to Acme/Eng; its history went along.');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(app.changed).toHaveBeenCalled();
  });

  it("says the core's error in words", async () => {
    vi.mocked(core.get).mockRejectedValue(new CoreError('item i-9 not found', 'not-found'));
    renderInApp(<ItemView id="i-9" {...handlers()} />);
    expect((await screen.findByRole('alert')).textContent).toBe('item i-9 not found');
  });
});

describe('ItemView of an SSH key', () => {
  it('masks the private key until revealed, then shows its lines; the fingerprint is not secret', async () => {
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH PRIVATE KEY-----';
    const { container } = show({
      name: 'Laptop key', type: 'ssh-key', type_label: 'SSH key', content: { name: 'Laptop key' },
      values: [
        f('private_key', 'Private key', key, { kind: 'multiline', secret: true }),
        f('public_key', 'Public key', 'ssh-ed25519 AAAA ann@laptop'),
        f('fingerprint', 'Fingerprint', 'SHA256:qykbumewGw5cYZBEiEVaHwaUoZA537mk2TjvVrKnCKU'),
      ],
    });
    await screen.findByRole('heading', { name: 'Laptop key' });
    expect(screen.getByText('SSH key · My Vault')).toBeTruthy();
    expect(container.querySelector('.type-badge svg')?.innerHTML).toContain('m14 7 3 3'); // key-square, the icon the core names
    expect(screen.queryByText(/OPENSSH PRIVATE KEY/)).toBeNull();
    expect(screen.getByText('SHA256:qykbumewGw5cYZBEiEVaHwaUoZA537mk2TjvVrKnCKU')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Reveal secrets' }));
    const shown = screen.getByText(/BEGIN OPENSSH PRIVATE KEY/);
    expect(shown.textContent).toBe(key);
    expect(shown.classList.contains('multiline')).toBe(true);
  });
});
