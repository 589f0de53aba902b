import { useEffect, useState } from 'preact/hooks';
import { core, message, type AdminUser } from '../core';
import { useApp } from '../shell/AppState';
import { Link } from '../shell/Link';
import { navigate } from '../shell/router';
import { href } from '../shell/routes';
import { ErrorLine } from '../ui/ErrorLine';
import { Field } from '../ui/Field';

// AdminPage is the Administrator Portal's search: accounts whose address
// or name contains what was typed (every account when nothing was), each
// opening its own page. The search is in the address (/admin/users?q=…).
export function AdminPage(props: { q: string }) {
  const app = useApp();
  const [text, setText] = useState(props.q);
  // The answer with the search it answers: never the last search's
  // accounts under this one's words.
  const [answer, setAnswer] = useState<{ q: string; list: AdminUser[] } | null>(null);
  const [error, setError] = useState('');
  useEffect(() => setText(props.q), [props.q]);
  useEffect(() => {
    let live = true;
    setError('');
    const q = props.q;
    core.adminSearch(q).then((list) => { if (live) setAnswer({ q, list }); }, (e) => { if (live) { setAnswer({ q, list: [] }); setError(message(e)); } });
    return () => { live = false; };
  }, [props.q, app.tick]);
  const found = answer?.q === props.q ? answer.list : null;
  const search = (e: Event) => { e.preventDefault(); navigate(href({ screen: 'admin', q: text.trim() })); };
  return (
    <section class="stack-page admin-home" aria-labelledby="admin-title">
      <div class="section-head"><h2 id="admin-title">Accounts</h2></div>
      <p class="muted">You are an instance administrator: you see accounts and what they are bound to, never what they keep.</p>
      <form class="inline" role="search" onSubmit={search}>
        <Field label="Search accounts" id="admin-q" type="search" value={text} onInput={setText} placeholder="e-mail address or name" />
        <button type="submit" class="primary">Search</button>
      </form>
      <ErrorLine error={error} />
      {!found ? <p class="muted">Searching…</p>
        : found.length === 0 ? (error ? null : <p class="muted">{props.q ? `No account's address or name contains “${props.q}”.` : 'No accounts yet.'}</p>) : (
          <table class="table admin-users">
            <caption class="sr-only">{props.q ? `Accounts matching ${props.q}` : 'Every account'}</caption>
            <thead><tr><th scope="col">Account</th><th scope="col">State</th><th scope="col">Organisations</th><th scope="col">Since</th></tr></thead>
            <tbody>
              {found.map((u) => (
                <tr key={u.user_id}>
                  <td data-label="Account" class="email"><Link href={href({ screen: 'admin-user', user: u.user_id })}>{u.email}</Link>{u.name ? <span class="muted"> {u.name}</span> : null}{u.me ? <span class="muted"> (you)</span> : null}{u.admin ? <> <span class="badge">administrator</span></> : null}</td>
                  <td data-label="State"><span class={u.state === 'disabled' ? 'badge danger' : 'badge confirmed'}>{u.state === 'disabled' ? 'Disabled' : 'Active'}</span></td>
                  <td data-label="Organisations">{u.orgs}</td>
                  <td data-label="Since" class="nowrap">{new Date(u.created_at).toLocaleDateString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
    </section>
  );
}
