import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { core, CoreError, type ExportPlan } from '../core';
import { ExportPage } from './ExportPage';
import { tools } from './module';
import { saveFile } from './save';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));
vi.mock('./module', () => ({ tools: { preload: vi.fn(async () => undefined), detect: vi.fn(), toCoffer: vi.fn(), fromCoffer: vi.fn() } }));
vi.mock('./save', () => ({ saveFile: vi.fn() }));

const formats: ExportPlan['formats'] = [
  { name: 'encrypted-json', label: 'Coffer, password-protected', description: 'Everything, under a password.', encrypted: true, extension: 'coffer' },
  { name: 'json', label: 'Coffer JSON', description: 'Everything, not encrypted.', encrypted: false, extension: 'json' },
  { name: 'csv', label: 'CSV', description: 'Columns.', encrypted: false, extension: 'csv' },
];

function plan(over: Partial<ExportPlan> = {}): ExportPlan {
  return {
    formats, file_stem: 'coffer-export-2026-12-07', clear_warning: 'This export is not encrypted: whoever can read the file reads every password in it.',
    vaults: [
      { id: 'v-me', label: 'My Vault', items: 12, allowed: true },
      { id: 'v-ops', label: 'Acme/Ops', items: 3, allowed: true },
    ],
    ...over,
  } as ExportPlan;
}

async function open(p: ExportPlan) {
  vi.mocked(core.exportPlan).mockResolvedValue(p);
  render(<ExportPage />);
  await screen.findByRole('heading', { name: 'Export' });
  await screen.findByRole('checkbox', { name: /My Vault/ });
}

describe('ExportPage', () => {
  beforeEach(() => vi.mocked(saveFile).mockClear());

  it('exports the chosen vaults under a password through the tools module, and saves the file', async () => {
    const doc = new Uint8Array([1, 2, 3]);
    const file = new Uint8Array([9, 9]);
    vi.mocked(core.exportDocument).mockImplementation(async (_v, _f, _h, progress) => { progress(15, 15); return doc; });
    vi.mocked(tools.fromCoffer).mockResolvedValue(file);
    await open(plan());
    fireEvent.click(screen.getByRole('checkbox', { name: /Acme\/Ops/ })); // leave one out
    const go = screen.getByRole('button', { name: 'Export 1 vault' });
    expect((go as HTMLButtonElement).disabled).toBe(true); // no password yet
    fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'file secret' } });
    fireEvent.input(screen.getByLabelText('The same password again'), { target: { value: 'file secre' } });
    expect(screen.getByText('The two passwords differ.')).toBeTruthy();
    fireEvent.input(screen.getByLabelText('The same password again'), { target: { value: 'file secret' } });
    fireEvent.click(go);
    await screen.findByText('Exported 15 items from 1 vault to coffer-export-2026-12-07.coffer.');
    expect(core.exportDocument).toHaveBeenCalledWith(['v-me'], 'encrypted-json', false, expect.any(Function));
    expect(tools.fromCoffer).toHaveBeenCalledWith(doc, 'encrypted-json', 'file secret');
    expect(saveFile).toHaveBeenCalledWith(file, 'coffer-export-2026-12-07.coffer', 'application/octet-stream');
    expect([...doc]).toEqual([0, 0, 0]); // wiped once saved
    expect(screen.queryByRole('alertdialog')).toBeNull(); // encrypted: no warning
  });

  it('warns before a clear-text export and writes nothing when cancelled', async () => {
    await open(plan());
    fireEvent.click(screen.getByRole('radio', { name: /CSV/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Export 2 vaults' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Export without encryption?' });
    expect(within(dialog).getByText(/whoever can read the file reads every password/)).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(core.exportDocument).not.toHaveBeenCalled();
    expect(saveFile).not.toHaveBeenCalled();
  });

  it('writes Coffer JSON as the core wrote it, after the warning', async () => {
    const doc = new Uint8Array([7]);
    vi.mocked(core.exportDocument).mockResolvedValue(doc);
    vi.mocked(tools.fromCoffer).mockClear();
    await open(plan());
    fireEvent.click(screen.getByRole('radio', { name: /Coffer JSON/ }));
    fireEvent.click(screen.getByRole('checkbox', { name: /earlier version/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Export 2 vaults' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Export to an unencrypted Coffer JSON file' }));
    await waitFor(() => expect(saveFile).toHaveBeenCalled());
    expect(core.exportDocument).toHaveBeenCalledWith(['v-me', 'v-ops'], 'json', true, expect.any(Function));
    expect(tools.fromCoffer).not.toHaveBeenCalled();
    expect(vi.mocked(saveFile).mock.calls[0][1]).toBe('coffer-export-2026-12-07.json');
  });

  it('shows the export policy: a held-back vault cannot be chosen, and says why', async () => {
    await open(plan({
      note: 'Your administrator allows exporting My Vault only.',
      vaults: [{ id: 'v-me', label: 'My Vault', items: 2, allowed: true }, { id: 'v-ops', label: 'Acme/Ops', items: 3, allowed: false, held_by: 'Your administrator allows exporting My Vault only.' }],
    } as Partial<ExportPlan>));
    expect(screen.getByRole('note').textContent).toBe('Your administrator allows exporting My Vault only.');
    const ops = screen.getByRole('checkbox', { name: /Acme\/Ops/ }) as HTMLInputElement;
    expect(ops.disabled).toBe(true);
    expect(ops.checked).toBe(false);
    expect(screen.getByText(/held back by the export policy/)).toBeTruthy();
  });

  it('says a refusal (the server holds the policy) and saves nothing', async () => {
    vi.mocked(core.exportDocument).mockRejectedValue(new CoreError('permission denied: your export policy allows exporting My Vault only', 'forbidden'));
    await open(plan());
    fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'x' } });
    fireEvent.input(screen.getByLabelText('The same password again'), { target: { value: 'x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Export 2 vaults' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/Not allowed: your export policy allows exporting My Vault only/);
    expect(saveFile).not.toHaveBeenCalled();
  });
});
