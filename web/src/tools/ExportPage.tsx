import { useEffect, useState } from 'preact/hooks';
import { core, message, type ExportPlan } from '../core';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { ErrorLine } from '../ui/ErrorLine';
import { Field } from '../ui/Field';
import { tools } from './module';
import { Progress } from './Progress';
import { saveFile } from './save';

// ExportPage is Tools → Export: My Vault and every vault this account can
// read that the export policy lets go (the core's plan: held-back vaults
// say why), in the format chosen — under a password of its own, or, in
// clear text, only after a warning. The core records the export in each
// organisation's audit log before it writes a byte, and writes Coffer
// JSON; the tools module turns that into the format chosen.
export function ExportPage() {
  const [plan, setPlan] = useState<ExportPlan | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [format, setFormat] = useState('');
  const [history, setHistory] = useState(false);
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [warn, setWarn] = useState(false);
  const [progress, setProgress] = useState<{ done: number; total: number; started: number } | null>(null);
  const [done, setDone] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    core.exportPlan().then((p) => {
      setPlan(p);
      setChosen(new Set(p.vaults.filter((v) => v.allowed).map((v) => v.id)));
      setFormat(p.formats[0]?.name ?? '');
    }, (e) => setError(message(e)));
    void tools.preload().catch(() => undefined); // said when an export needs it
  }, []);
  if (!plan) return <section class="card narrow"><h2>Export</h2>{error ? <ErrorLine error={error} /> : <p class="muted">Opening…</p>}</section>;
  const info = plan.formats.find((f) => f.name === format);
  const mismatch = info?.encrypted && again !== '' && again !== password;
  const ready = chosen.size > 0 && info && (!info.encrypted || (password !== '' && password === again));
  const run = async () => {
    setError(''); setDone('');
    const started = performance.now();
    setProgress({ done: 0, total: 0, started });
    let count = 0;
    let doc: Uint8Array | undefined;
    try {
      doc = await core.exportDocument([...chosen], format, history, (d, total) => { count = total; setProgress({ done: d, total, started }); });
      let file = doc;
      if (format !== 'json') { // Coffer JSON is the core's own document
        file = await tools.fromCoffer(doc, format, info!.encrypted ? password : '');
      }
      const name = `${plan.file_stem}.${info!.extension}`;
      saveFile(file, name, format === 'csv' ? 'text/csv' : 'application/octet-stream');
      file.fill(0);
      setDone(`Exported ${count.toLocaleString()} items from ${chosen.size} vault${chosen.size === 1 ? '' : 's'} to ${name}.`);
      setPassword(''); setAgain('');
    } catch (e) {
      setError(message(e));
    } finally {
      doc?.fill(0); // the clear document, whatever happened to the file
      setProgress(null);
    }
  };
  const toggle = (id: string) => {
    const next = new Set(chosen);
    if (!next.delete(id)) next.add(id);
    setChosen(next);
  };
  return (
    <section class="card narrow export" aria-labelledby="export-title">
      <h2 id="export-title">Export</h2>
      <p class="muted">Your items, written to a file on this device. Coffer notes the export (who, which vaults, which format) in each organisation's audit log.</p>
      {plan.note ? <p class="callout" role="note">{plan.note}</p> : null}
      <fieldset>
        <legend>Vaults</legend>
        <ul class="choices">
          {plan.vaults.map((v) => (
            <li key={v.id}>
              <label class={v.allowed ? '' : 'muted'}>
                <input type="checkbox" checked={chosen.has(v.id)} disabled={!v.allowed || progress !== null} onChange={() => toggle(v.id)} />
                {' '}{v.label} <span class="muted">({v.items.toLocaleString()} item{v.items === 1 ? '' : 's'}{v.allowed ? '' : ', held back by the export policy'})</span>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      <fieldset>
        <legend>Format</legend>
        <ul class="choices">
          {plan.formats.map((f) => (
            <li key={f.name}>
              <label>
                <input type="radio" name="export-format" value={f.name} checked={format === f.name} disabled={progress !== null} onChange={() => setFormat(f.name)} />
                {' '}<strong>{f.label}</strong>{f.encrypted ? null : <span class="badge warn">not encrypted</span>}
              </label>
              <span class="hint">{f.description}</span>
            </li>
          ))}
        </ul>
        <label><input type="checkbox" checked={history} disabled={progress !== null} onChange={() => setHistory(!history)} /> Add every earlier version of each item (Coffer formats)</label>
      </fieldset>
      {info?.encrypted ? (
        <fieldset>
          <legend>The file's own password</legend>
          <p class="hint">Not your master password: whoever opens the file needs it, and Coffer cannot recover it.</p>
          <Field id="export-password" label="Password" type="password" autocomplete="new-password" value={password} onInput={setPassword} />
          <Field id="export-again" label="The same password again" type="password" autocomplete="new-password" value={again} onInput={setAgain}
            error={mismatch ? 'The two passwords differ.' : ''} />
        </fieldset>
      ) : null}
      {progress ? <Progress label="Exporting" unit="items" {...progress} /> : null}
      <ErrorLine error={error} />
      {done ? <p role="status" class="note">{done}</p> : null}
      <div class="actions end">
        <button type="button" class="primary" disabled={!ready || progress !== null} onClick={() => (info?.encrypted ? void run() : setWarn(true))}>
          {progress ? 'Exporting…' : `Export ${chosen.size} vault${chosen.size === 1 ? '' : 's'}`}
        </button>
      </div>
      {warn ? <ConfirmDialog title="Export without encryption?" text={plan.clear_warning} action={`Export to an unencrypted ${info?.label ?? ''} file`} danger
        onConfirm={async () => { setWarn(false); void run(); }} onClose={() => setWarn(false)} /> : null}
    </section>
  );
}
