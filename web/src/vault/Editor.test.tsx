import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError, type Content } from '../core';
import { item, renderInApp, vaultInfo } from '../test/app';
import { Editor } from './Editor';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const my = vaultInfo({ id: 'v-my', label: 'My Vault', kind: 'personal', permission: 'owner' });
const eng = vaultInfo({ id: 'v-eng', label: 'Acme/Eng', permission: 'edit' });
const read = vaultInfo({ id: 'v-read', label: 'Acme/Read', permission: 'view', can_create: false, can_manage: false });
const ops = vaultInfo({ id: 'v-ops', label: 'Acme/Ops' });

function editNew(vault: string | undefined, vaults = [read, eng, my]) {
  const onDone = vi.fn(), onCancel = vi.fn();
  renderInApp(<Editor vault={vault} onDone={onDone} onCancel={onCancel} />, { vaults });
  return { onDone, onCancel, vaultSelect: screen.getByRole('combobox', { name: 'Vault' }) as HTMLSelectElement };
}

const options = (select: HTMLElement) => within(select).getAllByRole('option').map((o) => o.textContent);
const type = (label: string, value: string) => fireEvent.input(screen.getByRole('textbox', { name: label }), { target: { value } });
const created = () => vi.mocked(core.create).mock.calls[0] as [string, Content, string];

describe('Editor, a new item', () => {
  it('lists only the vaults this account can create in, My Vault first', () => {
    const { vaultSelect } = editNew('');
    expect(options(vaultSelect)).toEqual(['My Vault', 'Acme/Eng']);
    expect(screen.getByRole('heading', { name: 'New item' })).toBeTruthy();
  });

  it('starts in the vault given, if it can create there', () => {
    const { vaultSelect } = editNew('v-eng');
    expect(vaultSelect.value).toBe('v-eng');
  });

  it('starts in the first vault it can create in, if not there', () => {
    expect(editNew('v-read').vaultSelect.value).toBe('v-my');
  });

  it('starts in the first vault it can create in when My Vault is not one', () => {
    const { vaultSelect } = editNew('v-read', [read, vaultInfo({ ...my, can_create: false }), ops, eng]);
    expect(options(vaultSelect)).toEqual(['Acme/Eng', 'Acme/Ops']);
    expect(vaultSelect.value).toBe('v-eng');
  });

  it('starts in the vault given when the vaults arrive after it opened (a reload on New item)', async () => {
    vi.mocked(core.create).mockResolvedValue({ id: 'i-new' });
    const onDone = vi.fn();
    const { rerenderInApp } = renderInApp(<Editor vault="v-eng" onDone={onDone} onCancel={vi.fn()} />, { vaults: [] });
    rerenderInApp(<Editor vault="v-eng" onDone={onDone} onCancel={vi.fn()} />, { vaults: [my, eng] });
    expect((screen.getByRole('combobox', { name: 'Vault' }) as HTMLSelectElement).value).toBe('v-eng');
    type('Name', 'Grafana');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith('i-new'));
    expect(created()[2]).toBe('v-eng');
  });

  it('creates the item in the vault chosen', async () => {
    vi.mocked(core.create).mockResolvedValue({ id: 'i-new' });
    const { vaultSelect, onDone } = editNew('', [my, eng, ops]);
    fireEvent.change(vaultSelect, { target: { value: 'v-ops' } });
    type('Name', 'Grafana');
    type('Username', 'ann');
    fireEvent.input(screen.getByLabelText('Password'), { target: { value: 's3cret-pass' } });
    type('URL', 'https://grafana.acme.example');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith('i-new'));
    const [t, content, vault] = created();
    expect(t).toBe('login');
    expect(vault).toBe('v-ops');
    expect(content).toMatchObject({ name: 'Grafana', login: { username: 'ann', password: 's3cret-pass', urls: ['https://grafana.acme.example'] } });
    expect(content.fields).toBeUndefined();
  });

  it('adds custom fields', async () => {
    vi.mocked(core.create).mockResolvedValue({ id: 'i-new' });
    editNew('v-eng');
    type('Name', 'Door');
    fireEvent.change(screen.getByRole('combobox', { name: 'Type' }), { target: { value: 'note' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add a field' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add a field' }));
    const names = screen.getAllByRole('textbox', { name: /^Name of field \d+$/ });
    fireEvent.input(names[0], { target: { value: 'PIN' } });
    fireEvent.input(screen.getByLabelText('Value of field 1'), { target: { value: '4711' } });
    fireEvent.change(screen.getByRole('combobox', { name: 'Kind of field 1' }), { target: { value: 'hidden' } });
    // The second field stays unnamed: it is not saved.
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(core.create).toHaveBeenCalled());
    const [t, content, vault] = created();
    expect([t, vault]).toEqual(['note', 'v-eng']);
    expect(content.fields).toEqual([{ name: 'PIN', value: '4711', kind: 'hidden' }]);
    expect(content.login).toBeUndefined();
  });
});

describe('Editor, an existing item', () => {
  const existing = () => item({
    id: 'i-5', revision: 7, vault: 'Acme/Eng', type: 'login',
    content: { name: 'Door', login: { username: 'ann', password: 'old-pass', urls: ['https://door.example'] }, fields: [{ name: 'PIN', value: '4711', kind: 'hidden' }, { name: 'Floor', value: '3', kind: 'text' }], from_newer_client: { keep: true } },
  });

  it('keeps the custom fields, and what it does not know, over the revision it started from', async () => {
    vi.mocked(core.get).mockResolvedValue(existing());
    vi.mocked(core.update).mockResolvedValue({ revision: 8 });
    const onDone = vi.fn();
    renderInApp(<Editor id="i-5" onDone={onDone} onCancel={vi.fn()} />, { vaults: [my, eng] });
    expect(await screen.findByRole('heading', { name: 'Edit Door' })).toBeTruthy();
    expect(screen.getByText('In Acme/Eng. To put it elsewhere, use Move.')).toBeTruthy();
    expect(screen.queryByRole('combobox', { name: 'Vault' })).toBeNull();
    expect(screen.getAllByRole('textbox', { name: /^Name of field \d+$/ }).map((i) => (i as HTMLInputElement).value)).toEqual(['PIN', 'Floor']);
    fireEvent.click(screen.getByRole('button', { name: 'Add a field' }));
    fireEvent.input(screen.getAllByRole('textbox', { name: /^Name of field \d+$/ })[2], { target: { value: 'Room' } });
    fireEvent.input(screen.getByLabelText('Value of field 3'), { target: { value: '301' } });
    fireEvent.click(screen.getByRole('button', { name: 'Remove the field Floor' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith('i-5'));
    const [id, content, base] = vi.mocked(core.update).mock.calls[0];
    expect([id, base]).toEqual(['i-5', 7]);
    expect(content.fields).toEqual([{ name: 'PIN', value: '4711', kind: 'hidden' }, { name: 'Room', value: '301', kind: 'text' }]);
    expect(content.from_newer_client).toEqual({ keep: true });
    expect(content.login).toMatchObject({ username: 'ann', password: 'old-pass' });
  });

  it('shows both versions when someone else saved first', async () => {
    vi.mocked(core.get).mockResolvedValueOnce(existing()).mockResolvedValueOnce(item({ ...existing(), revision: 8, content: { name: 'Front door' } }));
    vi.mocked(core.update).mockRejectedValue(new CoreError('conflict', 'conflict'));
    renderInApp(<Editor id="i-5" onDone={vi.fn()} onCancel={vi.fn()} />, { vaults: [my, eng] });
    await screen.findByRole('heading', { name: 'Edit Door' });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const conflict = await screen.findByRole('alertdialog', { name: 'Someone else saved first' });
    expect(within(conflict).getByText('Front door is at revision 8 now; you edited revision 7. Choose which to keep — the other stays in the history.')).toBeTruthy();
  });
});

describe('Editor, the types the core lists', () => {
  const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----\n';

  it('offers every type of the core, in its order and words', () => {
    const { vaultSelect } = editNew('');
    expect(vaultSelect).toBeTruthy();
    expect(options(screen.getByRole('combobox', { name: 'Type' }))).toEqual(['Login', 'Secure note', 'API secret', 'Card', 'Identity', 'SSH key', 'File']);
  });

  it('creates an identity with the fields the core lists, its numbers masked', async () => {
    vi.mocked(core.create).mockResolvedValue({ id: 'i-id' });
    const { onDone } = editNew('');
    fireEvent.change(screen.getByRole('combobox', { name: 'Type' }), { target: { value: 'identity' } });
    const group = screen.getByRole('group', { name: 'Identity' });
    expect(within(group).getByLabelText('Passport number').getAttribute('type')).toBe('password');
    expect(within(group).getByLabelText('Social security number').getAttribute('type')).toBe('password');
    expect(within(group).getByRole('textbox', { name: 'E-mail' }).getAttribute('maxlength')).toBe('500');
    type('Name', 'Me at home');
    type('First name', 'Ann');
    type('Last name', 'Smith');
    type('E-mail', 'ann@example.com');
    type('Username', 'annsmith');
    fireEvent.input(within(group).getByLabelText('Passport number'), { target: { value: 'P7654321' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith('i-id'));
    const [t, content] = created();
    expect(t).toBe('identity');
    expect(content.identity).toEqual({ first_name: 'Ann', last_name: 'Smith', email: 'ann@example.com', username: 'annsmith', passport_number: 'P7654321' });
    expect(content.login).toBeUndefined();
  });

  it('creates an SSH key: the private key masked until shown, the fingerprint the core computes shown and never sent', async () => {
    vi.mocked(core.create).mockResolvedValue({ id: 'i-key' });
    vi.mocked(core.checkSSHKey).mockImplementation(async (priv: string) => (priv
      ? { ok: true, fingerprint: 'SHA256:qykbumewGw5cYZBEiEVaHwaUoZA537mk2TjvVrKnCKU', public_key: 'ssh-ed25519 AAAAC3Nza', type: 'ssh-ed25519' }
      : { ok: true }));
    const { onDone } = editNew('');
    fireEvent.change(screen.getByRole('combobox', { name: 'Type' }), { target: { value: 'ssh-key' } });
    type('Name', 'Laptop key');
    const privateKey = screen.getByLabelText('Private key') as HTMLTextAreaElement;
    expect(privateKey.tagName).toBe('TEXTAREA');
    expect(privateKey.classList.contains('masked-text')).toBe(true);
    fireEvent.input(privateKey, { target: { value: key } });
    const fingerprint = screen.getByRole('textbox', { name: 'Fingerprint' }) as HTMLInputElement;
    await waitFor(() => expect(fingerprint.value).toBe('SHA256:qykbumewGw5cYZBEiEVaHwaUoZA537mk2TjvVrKnCKU'));
    expect(fingerprint.readOnly).toBe(true);
    expect(core.checkSSHKey).toHaveBeenLastCalledWith(key, '');
    // The public key the private key holds, as a placeholder: saved by the core.
    expect((screen.getByRole('textbox', { name: 'Public key' }) as HTMLInputElement).placeholder).toBe('ssh-ed25519 AAAAC3Nza');
    expect(screen.getByText('Read from the private key when saved')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Show the private key' }));
    expect(privateKey.classList.contains('masked-text')).toBe(false);
    expect(screen.getByRole('button', { name: 'Hide the private key' }).getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith('i-key'));
    const [t, content] = created();
    expect(t).toBe('ssh-key');
    expect(content.ssh_key).toEqual({ private_key: key });
  });

  it('says what is wrong with a key, in the core\'s words', async () => {
    vi.mocked(core.checkSSHKey).mockResolvedValue({ ok: false, problem: 'the private key is not an SSH private key: it does not decode' });
    editNew('');
    fireEvent.change(screen.getByRole('combobox', { name: 'Type' }), { target: { value: 'ssh-key' } });
    fireEvent.input(screen.getByLabelText('Private key'), { target: { value: 'garbage' } });
    expect(await screen.findAllByText('the private key is not an SSH private key: it does not decode')).toHaveLength(2);
    expect(screen.getByLabelText('Private key').getAttribute('aria-invalid')).toBe('true');
  });

  it('edits an SSH key it opened, over its revision, the fingerprint shown as saved', async () => {
    vi.mocked(core.get).mockResolvedValue(item({
      id: 'i-k', revision: 2, type: 'ssh-key', type_label: 'SSH key',
      content: { name: 'Deploy', ssh_key: { private_key: key, public_key: 'ssh-ed25519 AAAA deploy@ci', fingerprint: 'SHA256:saved' } },
    }));
    vi.mocked(core.update).mockResolvedValue({ revision: 3 });
    const onDone = vi.fn();
    renderInApp(<Editor id="i-k" onDone={onDone} onCancel={vi.fn()} />, { vaults: [my] });
    await screen.findByRole('heading', { name: 'Edit Deploy' });
    expect((screen.getByRole('textbox', { name: 'Fingerprint' }) as HTMLInputElement).value).toBe('SHA256:saved');
    expect((screen.getByLabelText('Private key') as HTMLTextAreaElement).value).toBe(key);
    type('Public key', 'ssh-ed25519 AAAA deploy@ci2');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith('i-k'));
    const [id, content, base] = vi.mocked(core.update).mock.calls[0];
    expect([id, base]).toEqual(['i-k', 2]);
    expect(content.ssh_key).toEqual({ private_key: key, public_key: 'ssh-ed25519 AAAA deploy@ci2' });
  });
});
