import { useEffect, useState } from 'preact/hooks';
import { core, message, type Org, type Rotations } from '../core';
import { useApp } from '../shell/AppState';
import { Link } from '../shell/Link';
import { href } from '../shell/routes';
import { ErrorLine } from '../ui/ErrorLine';

// OrgSecurity is the owner's Security section of Settings: the key
// rotations the organisation owes (what, why, since — in the core's
// words), its former members with the way to what each could read, and
// the way to the verified audit log.
export function OrgSecurity(props: { org: Org; former?: string[] }) {
  const app = useApp();
  const [rot, setRot] = useState<Rotations | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    core.rotations(props.org.id).then((r) => { if (live) { setRot(r); setError(''); } }, (e) => { if (live) setError(message(e)); });
    return () => { live = false; };
  }, [props.org.id, app.tick]);
  return (
    <section class="card" aria-labelledby="security-title">
      <h2 id="security-title">Security</h2>
      <h3 id="rotations-title">Pending key rotations</h3>
      <ErrorLine error={error} />
      {!rot ? (error ? null : <p class="muted">Opening…</p>) : rot.pending.length === 0 ? <p class="muted">None: every key is current.</p> : (
        <>
          <ul class="rows rotations" aria-labelledby="rotations-title">
            {rot.pending.map((p) => (
              <li key={p.object_id} class="row-line">
                <span><strong>{p.what}</strong>: {p.why}</span>
                <span class="muted">since {new Date(p.since).toLocaleString()}</span>
              </li>
            ))}
          </ul>
          <p class="muted">{rot.note}</p>
        </>
      )}
      <h3 id="former-title">Former members</h3>
      {(props.former ?? []).length === 0 ? <p class="muted">Nobody has left or been removed.</p> : (
        <ul class="rows" aria-labelledby="former-title">
          {props.former!.map((email) => (
            <li key={email} class="row-line">
              <span>{email}</span>
              <Link href={href({ screen: 'exposure', org: props.org.id, who: email })} label={`What ${email} could read`}>What they could read</Link>
            </li>
          ))}
        </ul>
      )}
      <h3>Audit log</h3>
      <p>Every change to the organisation, signed by whoever made it and checked here before it is shown.</p>
      <p><Link href={href({ screen: 'audit', org: props.org.id, actor: '', action: '', since: '' })} class="button">Open the audit log</Link></p>
    </section>
  );
}
