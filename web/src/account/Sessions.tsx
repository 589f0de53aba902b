import { useEffect, useState } from 'preact/hooks';
import { core, message, type SessionInfo } from '../core';
import { ErrorLine } from '../ui/ErrorLine';

// Sessions: every device signed in to this account, each signed out with
// one button (this one with Log out).
export function Sessions() {
  const [sessions, setSessions] = useState<SessionInfo[] | null>(null);
  const [error, setError] = useState('');
  const load = () => core.sessions().then(setSessions, (e) => setError(message(e)));
  useEffect(() => { void load(); }, []);
  const live = (sessions ?? []).filter((x) => !x.revoked && new Date(x.expires_at) > new Date());
  return (
    <section class="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      <ErrorLine error={error} />
      {!sessions ? <p class="muted">Opening…</p> : (
        <ul class="rows sessions">
          {live.map((x) => (
            <li key={x.id} class="row-line">
              <span>{x.description || 'unnamed device'} · {x.client_addr} · since {new Date(x.created_at).toLocaleString()}{x.current ? <strong> (this one)</strong> : null}</span>
              {x.current ? null : <button type="button" class="small" aria-label={`Sign out ${x.description || 'unnamed device'} (${x.client_addr})`} onClick={async () => { try { await core.endSession(x.id); void load(); } catch (e) { setError(message(e)); } }}>Sign out</button>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
