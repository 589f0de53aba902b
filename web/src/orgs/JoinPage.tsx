import { useState } from 'preact/hooks';
import { useApp } from '../shell/AppState';
import { Link } from '../shell/Link';
import { href } from '../shell/routes';
import { JoinForm } from './JoinForm';

// JoinPage is what the Join link of an invitation e-mail opens (after
// logging in or signing up with the invited address). Once joined it
// says what happens next, and changes when the owner confirms.
export function JoinPage(props: { org: string; invitation: string }) {
  const app = useApp();
  const [joined, setJoined] = useState<{ org_id: string; org_name: string; owner_email: string } | null>(null);
  const confirmed = joined ? app.orgs.find((o) => o.id === joined.org_id) : undefined;
  return (
    <section class="card narrow join" aria-labelledby="joinpage-title">
      <h2 id="joinpage-title">You were invited</h2>
      {!joined ? <JoinForm org={props.org || undefined} onJoined={setJoined} />
        : confirmed ? (
          <>
            <p role="status">{confirmed.owner_email} confirmed you: you are a member of {confirmed.name}, and its vaults are in Passwords.</p>
            <div class="actions"><Link href="/vault" class="button primary">Go to Passwords</Link><Link href={href({ screen: 'org', org: confirmed.id, tab: 'members' })} class="button">{confirmed.name}</Link></div>
          </>
        ) : (
          <>
            <p role="status">You joined {joined.org_name}. Its owner, {joined.owner_email}, confirms you next — this page changes when they have; its vaults then appear in Passwords.</p>
            <div class="actions"><Link href="/vault" class="button primary">Go to Passwords</Link></div>
          </>
        )}
    </section>
  );
}
