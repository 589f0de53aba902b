import { useEffect, useState } from 'preact/hooks';
import { core, CoreError, message, type AuditLog, type OrgDetail } from '../core';
import { useApp } from '../shell/AppState';
import { Link } from '../shell/Link';
import { navigate } from '../shell/router';
import { href, type Route } from '../shell/routes';
import { ErrorLine } from '../ui/ErrorLine';
import { Field } from '../ui/Field';

type Filter = Extract<Route, { screen: 'audit' }>;

// AuditPage is an organisation's audit log (the owner's): the core reads
// and verifies the whole log — a log changed on the server is a red
// banner and nothing of it is shown — and returns the entries the filter
// in the address selects (person, action, from a day on).
export function AuditPage(props: { detail: OrgDetail; filter: Filter }) {
  const app = useApp();
  const f = props.filter;
  const org = props.detail.org;
  const [log, setLog] = useState<AuditLog | null>(null);
  const [error, setError] = useState('');
  const [tampered, setTampered] = useState('');
  const [actor, setActor] = useState(f.actor);
  const [action, setAction] = useState(f.action);
  const [since, setSince] = useState(f.since);
  useEffect(() => { setActor(f.actor); setAction(f.action); setSince(f.since); }, [f.actor, f.action, f.since]);
  useEffect(() => {
    let live = true;
    core.audit(org.id, { actor: f.actor, action: f.action, since: f.since }).then((l) => { if (live) { setLog(l); setError(''); setTampered(''); } }, (e) => {
      if (!live) return;
      setLog(null);
      if (e instanceof CoreError && e.kind === 'tampered') setTampered(e.message); else setError(message(e));
    });
    return () => { live = false; };
  }, [org.id, f.actor, f.action, f.since, app.tick]);
  const apply = (e: Event) => { e.preventDefault(); navigate(href({ ...f, actor: actor.trim(), action, since })); };
  const filtered = f.actor || f.action || f.since;
  return (
    <section class="audit" aria-labelledby="audit-title">
      <div class="section-head">
        <h2 id="audit-title">Audit log</h2>
        <Link href={href({ screen: 'org', org: org.id, tab: 'settings' })}>Back to Settings</Link>
      </div>
      {tampered ? (
        <div class="error banner tamper audit-tamper" role="alert">
          <p>The audit log was changed on the server: entries were removed, reordered or edited. Nothing of it is shown.</p>
          <p class="detail">{tampered}</p>
        </div>
      ) : null}
      <form class="inline audit-filter" onSubmit={apply} aria-label="Filter the audit log">
        <Field label="Person" id="audit-actor" type="email" value={actor} onInput={setActor} placeholder="any" list="audit-people" />
        <datalist id="audit-people">{props.detail.roster.map((e) => <option key={e} value={e} />)}</datalist>
        <div class="field">
          <label for="audit-action">Action</label>
          <select id="audit-action" value={action} onChange={(e) => setAction((e.target as HTMLSelectElement).value)}>
            <option value="">any</option>
            {(log?.actions ?? (f.action ? [f.action] : [])).map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        </div>
        <Field label="From" id="audit-since" type="date" value={since} onInput={setSince} />
        <button type="submit" class="primary">Show</button>
        {filtered ? <Link href={href({ ...f, actor: '', action: '', since: '' })}>Every entry</Link> : null}
      </form>
      <ErrorLine error={error} />
      {tampered || error ? null : !log ? <p class="muted">Reading and verifying the log…</p> : (
        <>
          <p class="muted" role="status">{log.entries.length === 1 ? '1 entry' : `${log.entries.length} entries`}{filtered ? ' match' : ''}; the whole log verified.</p>
          {log.entries.length === 0 ? null : (
            <table class="table audit-log">
              <thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">What</th><th scope="col">From</th></tr></thead>
              <tbody>
                {log.entries.map((e) => (
                  <tr key={e.seq} class="entry-row">
                    <td data-label="#">{e.seq}</td>
                    <td data-label="When">{new Date(e.time).toLocaleString()}</td>
                    <td data-label="Who" class="email">{e.actor}{e.signed ? null : <span class="muted"> (the server's word)</span>}</td>
                    <td data-label="Action" class="nowrap"><code>{e.action}</code></td>
                    <td data-label="What">{e.what}</td>
                    <td data-label="From" class="nowrap">{e.source}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
