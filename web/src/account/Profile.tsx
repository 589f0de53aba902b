import { useEffect, useState } from 'preact/hooks';
import { core, message, type Account, type MyExportPolicy } from '../core';
import { ErrorLine } from '../ui/ErrorLine';
import { idleMinutes, setIdleMinutes } from './idle';

// Profile: who this account is, its key fingerprint (what others compare),
// what it may export (an administrator's or an organisation's policy),
// this browser's idle lock, and logging out.
export function Profile(props: { onLogout: () => void }) {
  const [acct, setAcct] = useState<Account | null>(null);
  const [idle, setIdle] = useState(idleMinutes());
  const [error, setError] = useState('');
  const [exp, setExp] = useState<MyExportPolicy | null>(null);
  useEffect(() => {
    core.account().then(setAcct, (e) => setError(message(e)));
    core.exportPolicy().then(setExp, (e) => setError(message(e)));
  }, []);
  return (
    <section class="card account" aria-labelledby="account-title">
      <h2 id="account-title">Profile</h2>
      <ErrorLine error={error} />
      {acct ? (
        <dl>
          <div class="row"><dt>E-mail</dt><dd>{acct.email}</dd></div>
          <div class="row"><dt>Name</dt><dd>{acct.name}</dd></div>
          <div class="row"><dt>Key fingerprint</dt><dd><code id="fingerprint">{acct.fingerprint}</code></dd></div>
          <div class="row"><dt>Argon2id</dt><dd>t={acct.kdf.time}, {acct.kdf.memory_kib / 1024} MiB, p={acct.kdf.threads}</dd></div>
          {exp ? <div class="row"><dt>May export</dt><dd>{exp.may_export}</dd></div> : null}
        </dl>
      ) : null}
      {exp?.note ? <p class="export-note">{exp.note}</p> : null}
      <p class="muted">Compare the fingerprint with what others see for you (Members → Compare, or coffer fingerprint in the CLI) over a channel you trust.</p>
      <h3>Lock after inactivity</h3>
      <div class="field"><label for="idle">Lock this tab after</label>
        <select id="idle" value={String(idle)} onChange={(e) => { const v = Number((e.target as HTMLSelectElement).value); setIdleMinutes(v); setIdle(v); }}>
          {([[1, '1 minute'], [5, '5 minutes'], [15, '15 minutes'], [60, '1 hour'], [0, 'never (until the tab closes)']] as [number, string][]).map(([v, l]) => <option key={v} value={String(v)}>{l}</option>)}
        </select></div>
      <h3>This browser</h3>
      <p class="muted">A tab locks when it is reloaded or closed: the keys live in that tab's memory only. Logging out also forgets this account's encrypted copy in this browser.</p>
      <button type="button" onClick={async () => { await core.logout(); props.onLogout(); }}>Log out of this browser</button>
    </section>
  );
}
