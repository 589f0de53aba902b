import { useEffect, useState } from 'preact/hooks';
import { core, message, type JoinState } from '../core';
import { useApp } from '../shell/AppState';
import { Link } from '../shell/Link';
import { href } from '../shell/routes';
import { ErrorLine } from '../ui/ErrorLine';
import { JoinForm } from './JoinForm';

// JoinPage is what the Join link of an invitation e-mail opens (after
// logging in or signing up with the invited address). Where this account
// stands — invited, locked, joined, a member — is the client core's
// (joinStatus), read anew after a join and at every live change, so
// "confirms you next" never outlives the owner's confirmation.
export function JoinPage(props: { org: string; invitation: string }) {
  const app = useApp();
  const [st, setSt] = useState<JoinState | null>(null);
  const [error, setError] = useState('');
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    core.joinStatus(props.org, props.invitation).then((s) => { if (live) { setSt(s); setError(''); } }, (e) => { if (live) setError(message(e)); });
    return () => { live = false; };
  }, [props.org, props.invitation, app.tick, n]);
  const orgID = st?.org_id || props.org;
  return (
    <section class="card narrow join" aria-labelledby="joinpage-title">
      <h2 id="joinpage-title">You were invited</h2>
      <ErrorLine error={error} />
      {!st ? (error ? null : <p class="muted">Opening…</p>)
        : st.state === 'invited' ? <JoinForm org={st.invitation_id || orgID || undefined} onJoined={() => { app.changed(); setN((x) => x + 1); }} onFailed={() => setN((x) => x + 1)} />
        : <p role="status">{st.text}</p>}
      {st && (st.state === 'joined' || st.state === 'member') ? (
        <div class="actions">
          <Link href="/vault" class="button primary">Go to Passwords</Link>
          {st.state === 'member' && st.org_id ? <Link href={href({ screen: 'org', org: st.org_id, tab: 'members' })} class="button">{st.org_name || 'The organisation'}</Link> : null}
        </div>
      ) : null}
      {st && (st.state === 'none' || st.state === 'locked') ? (
        <div class="actions">
          {/* Once the owner has re-issued it, the same page finds the new invitation. */}
          <button type="button" class="primary" onClick={() => setN((x) => x + 1)}>Check again</button>
          <Link href="/orgs" class="button">Your organisations</Link>
        </div>
      ) : null}
    </section>
  );
}
