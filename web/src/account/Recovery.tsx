import { useEffect, useState } from 'preact/hooks';
import { core, message, type Notice, type Recovery as RecoveryInfo } from '../core';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { ErrorLine } from '../ui/ErrorLine';

type Org = RecoveryInfo['orgs'][number];

// Recovery: account recovery through an organisation (enrol, leave), any
// open recovery request, and every recovery of this account.
export function Recovery() {
  const [recovery, setRecovery] = useState<RecoveryInfo | null>(null);
  const [history, setHistory] = useState<Notice[]>([]);
  const [enrolling, setEnrolling] = useState<Org | null>(null);
  const [error, setError] = useState('');
  const load = async () => {
    await core.sync().catch(() => undefined); // organisations joined meanwhile
    core.recovery().then(setRecovery, (e) => setError(message(e)));
    core.notices().then(setHistory, (e) => setError(message(e)));
  };
  useEffect(() => { void load(); }, []);
  return (
    <section class="card account" aria-labelledby="recovery-title">
      <h2 id="recovery-title">Account recovery</h2>
      <ErrorLine error={error} />
      {!recovery ? <p class="muted">Opening…</p> : recovery.orgs.length === 0 ? <p class="muted">None of your organisations offers account recovery.</p> : (
        <ul class="rows">
          {recovery.orgs.map((o) => (
            <li key={o.id} class="row-line">
              <span>{o.name} (owner {o.owner}): {o.enrolled ? <strong>enrolled</strong> : 'not enrolled'}</span>
              <button type="button" class="small" onClick={async () => {
                if (!o.enrolled) { setEnrolling(o); return; }
                try { await core.leave(o.id); void load(); } catch (e) { setError(message(e)); }
              }}>{o.enrolled ? `Leave ${o.name}'s recovery` : `Enrol in ${o.name}'s recovery`}</button>
            </li>
          ))}
        </ul>
      )}
      {recovery && recovery.requests.length > 0 ? (
        <p class="error" role="alert">{recovery.requests.length} recovery request(s) exist for your account{recovery.requests.some((r) => r.granted) ? ', one approved' : ''}. If you did not ask, void them with coffer account recovery cancel and tell your owner.</p>
      ) : null}
      {history.length > 0 ? <h3>Recoveries of this account</h3> : null}
      {history.length > 0 ? (
        <ul class="rows recoveries">
          {history.map((n) => <li key={n.id}><span>{n.text}</span> <span class="muted">{n.seen ? `Acknowledged ${new Date(n.seen_at ?? '').toLocaleString()}.` : 'Not acknowledged yet.'}</span></li>)}
        </ul>
      ) : null}
      {enrolling ? <ConfirmDialog title={`Enrol in ${enrolling.name}'s recovery?`} action={`Enrol in ${enrolling.name}'s recovery`}
        text={`The owner of ${enrolling.name} (${enrolling.owner}) can then approve a new master password for you if you forget yours — and could then open everything you can. You can leave again at any time.`}
        onConfirm={async () => { await core.enrol(enrolling.id); await load(); }} onClose={() => setEnrolling(null)} /> : null}
    </section>
  );
}
