import { useState } from 'preact/hooks';
import { core, message, type Account, type KDF } from '../core';
import { ErrorLine } from '../ui/ErrorLine';
import { Field } from '../ui/Field';

// KDFForm raises the Argon2id parameters of the master password: every
// unlock (and every guess of an attacker holding the server's data) then
// costs more. Parameters only go up; "Time it" measures an unlock with
// them in this browser first.
export function KDFForm(props: { current: KDF; onDone: (a: Account) => void }) {
  const [time, setTime] = useState(String(props.current.time));
  const [mib, setMib] = useState(String(props.current.memory_kib / 1024));
  const [threads, setThreads] = useState(String(props.current.threads));
  const [pw, setPw] = useState('');
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const chosen = (): KDF => ({ time: Number(time), memory_kib: Math.round(Number(mib) * 1024), threads: Number(threads) });
  const run = async (what: () => Promise<void>) => {
    setError(''); setNote(''); setBusy(true);
    try { await what(); } catch (err) { setError(message(err)); } finally { setBusy(false); }
  };
  const measure = () => run(async () => {
    const t = await core.kdfTime(chosen());
    setNote(`With these parameters an unlock takes about ${(t.ms / 1000).toFixed(1)} s in this browser.`);
  });
  const raise = (e: Event) => {
    e.preventDefault();
    const k = chosen(), c = props.current;
    if (k.time === c.time && k.memory_kib === c.memory_kib && k.threads === c.threads) { setError('Raise at least one of the three.'); return; }
    if (k.time < c.time || k.memory_kib < c.memory_kib || k.threads < c.threads) { setError(`The parameters can only be raised (now t=${c.time}, ${c.memory_kib / 1024} MiB, p=${c.threads}).`); return; }
    void run(async () => { const a = await core.kdf(pw, k); setPw(''); props.onDone(a); });
  };
  const num = (label: string, id: string, value: string, set: (v: string) => void, min: number, hint: string) => (
    <div class="field"><label for={id}>{label}</label>
      <input id={id} type="number" inputMode="numeric" min={min} value={value} aria-describedby={`${id}-hint`} onInput={(e) => set((e.target as HTMLInputElement).value)} />
      <span id={`${id}-hint`} class="hint">{hint}</span></div>
  );
  return (
    <form class="stack" onSubmit={raise}>
      <h2 id="kdf-title">Make the master password harder to guess</h2>
      <p class="muted">Argon2id turns your master password into keys. Higher values make every unlock slower on every device — and every guess slower for anyone who steals the server's data.</p>
      <div class="three">
        {num('Passes (t)', 'kdf-time', time, setTime, props.current.time, `now ${props.current.time}`)}
        {num('Memory (MiB)', 'kdf-memory', mib, setMib, props.current.memory_kib / 1024, `now ${props.current.memory_kib / 1024} MiB`)}
        {num('Threads (p)', 'kdf-threads', threads, setThreads, props.current.threads, `now ${props.current.threads}`)}
      </div>
      <Field label="Master password" id="kdf-pw" type="password" value={pw} onInput={setPw} autocomplete="current-password" required />
      {note ? <p role="status">{note}</p> : null}
      <ErrorLine error={error} />
      <div class="actions">
        <button type="button" onClick={measure} disabled={busy}>Time it</button>
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Working…' : 'Raise the parameters'}</button>
      </div>
    </form>
  );
}
