import { useEffect, useState } from 'preact/hooks';
import { core, message, type Detected, type ImportPlan, type ImportReport } from '../core';
import { useApp } from '../shell/AppState';
import { Link } from '../shell/Link';
import { href } from '../shell/routes';
import { ErrorLine } from '../ui/ErrorLine';
import { Field } from '../ui/Field';
import { ColumnMapping } from './ColumnMapping';
import { DropZone } from './DropZone';
import { ImportSummary } from './ImportSummary';
import { tools } from './module';
import { Progress } from './Progress';

interface Chosen { name: string; bytes: Uint8Array; detected: Detected }

// ImportPage is Tools → Import: a file chosen or dropped, its format told
// (or chosen, for a file Coffer cannot tell; a CSV of unknown columns is
// mapped), its own password when it has one, a preview of what will be
// created in the vault chosen — counts per type, look-alikes of items
// already there, every entry left out and why — then the import, with
// its progress. The tools module reads the file into a Coffer JSON
// document; the core checks and creates (the same import as `coffer
// import`, through the batch create).
export function ImportPage() {
  const { changed } = useApp();
  const [plan, setPlan] = useState<ImportPlan | null>(null);
  const [vault, setVault] = useState('');
  const [file, setFile] = useState<Chosen | null>(null);
  const [format, setFormat] = useState('');
  const [password, setPassword] = useState('');
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [doc, setDoc] = useState<Uint8Array | null>(null);
  const [preview, setPreview] = useState<ImportReport | null>(null);
  const [result, setResult] = useState<ImportReport | null>(null);
  const [busy, setBusy] = useState('');
  const [progress, setProgress] = useState<{ done: number; total: number; started: number } | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    core.importPlan().then((p) => { setPlan(p); setVault(p.vaults[0]?.id ?? ''); }, (e) => setError(message(e)));
    void tools.preload().catch(() => undefined); // said when a file needs it
  }, []);
  const reset = () => { setDoc(null); setPreview(null); setResult(null); setError(''); };
  // read turns the file into the core's document and previews it in v.
  const read = async (f: Chosen, fmt: string, pw: string, map: Record<string, string>, v: string) => {
    doc?.fill(0); // the page keeps one clear copy at most
    reset();
    setBusy('Reading the file…');
    try {
      const d = await tools.toCoffer(f.bytes, fmt, f.detected.needs_mapping || fmt === 'csv' ? map : null, pw);
      setDoc(d);
      setPreview(await core.importDocument(v, d, true, () => undefined));
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy('');
    }
  };
  const choose = async (f: File) => {
    file?.bytes.fill(0);
    doc?.fill(0);
    reset();
    setPassword(''); setMapping({});
    setBusy('Reading the file…');
    try {
      const bytes = new Uint8Array(await f.arrayBuffer());
      const detected = await tools.detect(bytes);
      const chosen = { name: f.name, bytes, detected };
      setFile(chosen);
      setFormat(detected.format);
      setBusy('');
      if (detected.format && !detected.password && !detected.needs_mapping) await read(chosen, detected.format, '', {}, vault);
    } catch (e) {
      setError(message(e));
      setBusy('');
    }
  };
  const run = async () => {
    if (!doc || !preview) return;
    setError('');
    const started = performance.now();
    const total = preview.items + preview.skipped.length;
    setProgress({ done: 0, total, started });
    try {
      const r = await core.importDocument(vault, doc, false, (d) => setProgress({ done: d, total, started }));
      setResult(r);
      setPreview(null);
      doc.fill(0);
      setDoc(null);
      file?.bytes.fill(0); // done with the clear file
      setFile(null);
      setPassword('');
      changed();
    } catch (e) {
      setError(message(e));
    } finally {
      setProgress(null);
    }
  };
  if (!plan) return <section class="card narrow"><h2>Import</h2>{error ? <ErrorLine error={error} /> : <p class="muted">Opening…</p>}</section>;
  const det = file?.detected;
  const needsFormat = file && !det?.format;
  const needsPassword = file && plan.formats.find((f) => f.name === format)?.encrypted;
  const needsMapping = file && (det?.needs_mapping || (needsFormat && format === 'csv'));
  const askFirst = needsPassword || needsMapping || needsFormat;
  return (
    <section class="card narrow import" aria-labelledby="import-title">
      <h2 id="import-title">Import</h2>
      <p class="muted">Items from another password manager, a browser or a Coffer export, added to a vault. The file is read in this browser; only the encrypted items reach the server.</p>
      <div class="field">
        <label for="import-vault">Into</label>
        <select id="import-vault" value={vault} disabled={!!progress} onChange={(e) => {
          const v = (e.target as HTMLSelectElement).value;
          setVault(v);
          if (doc && file) void read(file, format, password, mapping, v);
        }}>
          {plan.vaults.map((v) => <option key={v.id} value={v.id}>{v.label}</option>)}
        </select>
      </div>
      <DropZone onFile={(f) => void choose(f)} disabled={!!progress || !!busy} chosen={file ? `${file.name}${det?.label ? ` — ${det.label}` : ''}` : ''}
        hint={plan.formats.map((f) => f.label).join(', ')} />
      {needsFormat ? (
        <div class="field">
          <label for="import-format">Coffer cannot tell this file's format. It is:</label>
          <select id="import-format" value={format} onChange={(e) => { setFormat((e.target as HTMLSelectElement).value); reset(); }}>
            <option value="">Choose…</option>
            {plan.formats.map((f) => <option key={f.name} value={f.name}>{f.label}</option>)}
          </select>
        </div>
      ) : null}
      {needsPassword ? (
        <Field id="import-password" label="The file's password" type="password" autocomplete="off" value={password} onInput={setPassword}
          hint="The password the file was exported with (not your master password)." />
      ) : null}
      {needsMapping && det?.columns ? <ColumnMapping fields={plan.fields} columns={det.columns} mapping={mapping} onChange={setMapping} /> : null}
      {file && askFirst && !preview ? (
        <div class="actions end">
          <button type="button" class="primary" disabled={!!busy || !format || !!(needsPassword && !password) || !!(needsMapping && !Object.keys(mapping).length)}
            onClick={() => void read(file, format, password, mapping, vault)}>Read the file</button>
        </div>
      ) : null}
      {busy ? <p class="muted" role="status">{busy}</p> : null}
      <ErrorLine error={error} />
      {preview ? <ImportSummary report={preview} /> : null}
      {progress ? <Progress label="Importing" unit="entries" {...progress} /> : null}
      {preview && !progress ? (
        <div class="actions end">
          <button type="button" class="primary" disabled={preview.items === 0} onClick={() => void run()}>
            Import {preview.items.toLocaleString()} item{preview.items === 1 ? '' : 's'} into {preview.vault.label}
          </button>
        </div>
      ) : null}
      {result ? (
        <>
          <ImportSummary report={result} />
          <p><Link href={href({ screen: 'vault', vault: result.vault.id, item: '', mode: 'view' })}>Open {result.vault.label}</Link></p>
        </>
      ) : null}
    </section>
  );
}
