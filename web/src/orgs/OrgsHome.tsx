import { useEffect, useState } from 'preact/hooks';
import { core, message, type Invitation } from '../core';
import { useApp } from '../shell/AppState';
import { Link } from '../shell/Link';
import { navigate } from '../shell/router';
import { href } from '../shell/routes';
import { ErrorLine } from '../ui/ErrorLine';
import { Field } from '../ui/Field';
import { JoinForm } from './JoinForm';

// OrgsHome: this account's organisations, its invitations, and joining or
// creating one.
export function OrgsHome() {
  const app = useApp();
  const [invitations, setInvitations] = useState<Invitation[]>([]);
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  useEffect(() => { core.invitations().then(setInvitations, () => undefined); }, [app.tick]);
  const waiting = invitations.filter((i) => !app.orgs.some((o) => o.id === i.org_id));
  const create = async (e: Event) => {
    e.preventDefault();
    setError('');
    try {
      const o = await core.createOrg(name);
      setName('');
      localStorage.setItem('coffer.org', o.id);
      app.changed();
      navigate(href({ screen: 'org', org: o.id, tab: 'members' }));
    } catch (err) { setError(message(err)); }
  };
  return (
    <div class="orgs-home">
      {app.orgs.length ? (
        <section class="card" aria-labelledby="your-orgs">
          <h2 id="your-orgs">Your organisations</h2>
          <ul class="rows">{app.orgs.map((o) => (
            <li key={o.id} class="row-line"><Link href={href({ screen: 'org', org: o.id, tab: 'members' })}>{o.name}</Link>
              <span class="muted">{o.role === 'owner' ? 'yours' : `owner ${o.owner_email}`}</span></li>
          ))}</ul>
        </section>
      ) : null}
      {waiting.length ? (
        <section class="card" aria-labelledby="your-invitations">
          <h2 id="your-invitations">Invitations</h2>
          <ul class="rows">{waiting.map((i) => (
            <li key={i.id} class="row-line">{i.state === 'joined'
              ? `You joined an organisation of ${i.owner}; they confirm you next, and its vaults appear then.`
              : `${i.owner} invited you to an organisation: join it below with the code they give you.`}</li>
          ))}</ul>
        </section>
      ) : null}
      <section class="card" aria-labelledby="join-title">
        <JoinForm onJoined={(r) => { setNote(`You joined ${r.org_name}. Its owner, ${r.owner_email}, confirms you next; its vaults appear in Passwords then.`); app.changed(); }} />
        {note ? <p role="status">{note}</p> : null}
      </section>
      <section class="card" aria-labelledby="create-title">
        <form class="stack" onSubmit={create}>
          <h3 id="create-title">Create an organisation</h3>
          <p class="muted">For a team or a company: you own it, invite people, and decide who opens which vault.</p>
          <Field label="New organisation" id="org-name" value={name} onInput={setName} required />
          <ErrorLine error={error} />
          <button type="submit" class="primary">Create</button>
        </form>
      </section>
    </div>
  );
}
