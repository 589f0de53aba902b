import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { core, CoreError, type Detected, type ImportPlan, type ImportReport } from '../core';
import { renderInApp } from '../test/app';
import { ImportPage } from './ImportPage';
import { tools } from './module';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));
vi.mock('./module', () => ({ tools: { preload: vi.fn(async () => undefined), detect: vi.fn(), toCoffer: vi.fn(), fromCoffer: vi.fn() } }));

const plan = {
  formats: [
    { name: 'json', label: 'Coffer JSON', description: '', encrypted: false },
    { name: 'kdbx', label: 'KeePass (KDBX 4)', description: '', encrypted: true },
    { name: 'csv', label: 'CSV', description: '', encrypted: false },
  ],
  vaults: [{ id: 'v-me', label: 'My Vault' }, { id: 'v-ops', label: 'Acme/Ops' }],
  fields: [{ name: 'name', label: 'Name' }, { name: 'password', label: 'Password' }],
} as ImportPlan;

function report(over: Partial<ImportReport>): ImportReport {
  return { vaults: 1, items: 0, files: 0, by_type: {}, dry_run: true, skipped: [], duplicates: 0, vault: { id: 'v-me', label: 'My Vault' }, counts: [], ...over } as ImportReport;
}

const doc = new Uint8Array([123, 125]);

async function open() {
  vi.mocked(core.importPlan).mockResolvedValue(plan);
  const r = renderInApp(<ImportPage />);
  await screen.findByLabelText('Into');
  return r;
}

function drop(name: string, text: string) {
  const file = new File([text], name);
  fireEvent.change(document.querySelector('input[type=file]')!, { target: { files: [file] } });
}

describe('ImportPage', () => {
  beforeEach(() => { vi.mocked(tools.toCoffer).mockReset(); vi.mocked(core.importDocument).mockReset(); });

  it('previews a file it can tell, then imports it with progress and says what was created and left out', async () => {
    vi.mocked(tools.detect).mockResolvedValue({ format: 'bitwarden-json', label: 'Bitwarden JSON', password: false, needs_mapping: false } as Detected);
    vi.mocked(tools.toCoffer).mockResolvedValue(doc);
    const skipped = [{ entry: 'Old card', reason: 'a card number must be digits' }];
    vi.mocked(core.importDocument).mockImplementation(async (vault, _d, dry, progress) => {
      if (dry) return report({ items: 3, counts: [{ type: 'login', label: 'Login', count: 2 }, { type: 'note', label: 'Secure note', count: 1 }], duplicates: 1, skipped });
      progress(2); progress(4);
      return report({ dry_run: false, items: 3, vault: { id: vault, label: 'Acme/Ops' }, skipped });
    });
    const { app } = await open();
    fireEvent.change(screen.getByLabelText('Into'), { target: { value: 'v-ops' } });
    drop('bitwarden_export.json', '{"items":[]}');
    await screen.findByText('Will create 3 items');
    expect(tools.toCoffer).toHaveBeenCalledWith(expect.any(Uint8Array), 'bitwarden-json', null, '');
    expect(core.importDocument).toHaveBeenCalledWith('v-ops', doc, true, expect.any(Function));
    expect(screen.getByText(/bitwarden_export\.json — Bitwarden JSON/)).toBeTruthy();
    expect(screen.getByRole('list', { name: 'Items by type' }).textContent).toBe('2 Login1 Secure note');
    expect(screen.getByRole('note').textContent).toMatch(/^1 of them look like items already in My Vault/);
    expect(screen.getByText(/a card number must be digits/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Import 3 items into My Vault' }));
    await screen.findByText('Created 3 items');
    expect(core.importDocument).toHaveBeenLastCalledWith('v-ops', doc, false, expect.any(Function));
    expect(screen.getByRole('link', { name: 'Open Acme/Ops' }).getAttribute('href')).toBe('/vault/v-ops');
    expect(app.changed).toHaveBeenCalled();
  });

  it('asks for a KeePass database password first, and asks again when it is wrong', async () => {
    vi.mocked(tools.detect).mockResolvedValue({ format: 'kdbx', label: 'KeePass (KDBX 4)', password: true, needs_mapping: false } as Detected);
    vi.mocked(tools.toCoffer).mockRejectedValueOnce(new CoreError("the KeePass database's password is wrong", 'file-password')).mockResolvedValue(doc);
    vi.mocked(core.importDocument).mockResolvedValue(report({ items: 1, counts: [{ type: 'login', label: 'Login', count: 1 }] }));
    await open();
    drop('db.kdbx', 'x');
    const pw = await screen.findByLabelText("The file's password");
    expect(tools.toCoffer).not.toHaveBeenCalled();
    fireEvent.input(pw, { target: { value: 'wrong' } });
    fireEvent.click(screen.getByRole('button', { name: 'Read the file' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/password is wrong/);
    fireEvent.input(screen.getByLabelText("The file's password"), { target: { value: 'right' } });
    fireEvent.click(screen.getByRole('button', { name: 'Read the file' }));
    await screen.findByText('Will create 1 item');
    expect(tools.toCoffer).toHaveBeenLastCalledWith(expect.any(Uint8Array), 'kdbx', null, 'right');
  });

  it('maps the columns of a CSV it does not know', async () => {
    vi.mocked(tools.detect).mockResolvedValue({ format: 'csv', label: 'CSV', password: false, needs_mapping: true, columns: ['Site', 'Secret'] } as Detected);
    vi.mocked(tools.toCoffer).mockResolvedValue(doc);
    vi.mocked(core.importDocument).mockResolvedValue(report({ items: 5 }));
    await open();
    drop('mine.csv', 'Site,Secret\n');
    const read = await screen.findByRole('button', { name: 'Read the file' });
    expect((read as HTMLButtonElement).disabled).toBe(true); // nothing mapped yet
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Site' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'Secret' } });
    fireEvent.click(read);
    await screen.findByText('Will create 5 items');
    expect(tools.toCoffer).toHaveBeenCalledWith(expect.any(Uint8Array), 'csv', { name: 'Site', password: 'Secret' }, '');
  });

  it('lets the person name the format of a file it cannot tell, and says a bad file', async () => {
    vi.mocked(tools.detect).mockResolvedValue({ format: '', password: false, needs_mapping: false } as Detected);
    vi.mocked(tools.toCoffer).mockRejectedValue(new CoreError('not a Coffer JSON export: it does not start with a JSON object', 'error'));
    await open();
    drop('mystery.bin', '\u0000\u0001');
    fireEvent.change(await screen.findByLabelText(/cannot tell this file's format/), { target: { value: 'json' } });
    fireEvent.click(screen.getByRole('button', { name: 'Read the file' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/not a Coffer JSON export/);
    expect(core.importDocument).not.toHaveBeenCalled();
  });

  it('previews again in the vault chosen after the file', async () => {
    vi.mocked(tools.detect).mockResolvedValue({ format: 'json', label: 'Coffer JSON', password: false, needs_mapping: false } as Detected);
    vi.mocked(tools.toCoffer).mockResolvedValue(doc);
    vi.mocked(core.importDocument).mockResolvedValue(report({ items: 2 }));
    await open();
    drop('coffer.json', '{}');
    await screen.findByText('Will create 2 items');
    fireEvent.change(screen.getByLabelText('Into'), { target: { value: 'v-ops' } });
    await waitFor(() => expect(core.importDocument).toHaveBeenLastCalledWith('v-ops', doc, true, expect.any(Function)));
  });
});
