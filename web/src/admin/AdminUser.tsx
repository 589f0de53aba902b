import { useEffect, useState } from 'preact/hooks';
import { core, message, TEXTS, type AdminOrg, type AdminUserDetail } from '../core';
import { useApp } from '../shell/AppState';
import { Link } from '../shell/Link';
import { title } from '../shell/routes';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { EmptyState } from '../ui/EmptyState';
import { ErrorLine } from '../ui/ErrorLine';

type Asking = { what: 'disable' | 'enable' | 'export' | 'reset-2fa' } | { what: 'unbind'; org: AdminOrg };

// AdminUser is one account in the Administrator Portal: its state, the
// organisations and groups it is bound to (ids and sizes: names are
// sealed), what it may export ("Allow export of My Vault only"), Unbind
// from an organisation (never its owner) and Disable or Enable — each
// change asked in a dialog that says what it does.
export function AdminUser(props: { user: string }) {
  const app = useApp();
  const [d, setD] = useState<AdminUserDetail | null>(null);
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const [asking, setAsking] = useState<Asking | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    core.adminUser(props.user).then((x) => { if (live) { setD(x); setError(''); document.title = title({ screen: 'admin-user', user: props.user }, { user: x.email }); } },
      (e) => { if (live) setError(message(e)); });
    return () => { live = false; };
  }, [props.user, app.tick, n]);
  const back = <Link href="/admin" class="back-link">← Accounts</Link>;
  if (!d) return <div class="stack-page">{back}{error ? <EmptyState title="No such account" text={error} /> : <p class="muted">Opening…</p>}</div>;
  const done = (text: string) => { setNote(text); setN((x) => x + 1); };
  return (
    <div class="stack-page admin-user">
      {back}
      <section class="card" aria-labelledby="acct-title">
        <div class="section-head">
          <h2 id="acct-title">{d.email}</h2>
          <span class={d.state === 'disabled' ? 'badge danger' : 'badge confirmed'}>{d.state === 'disabled' ? 'Disabled' : 'Active'}</span>
        </div>
        <dl class="facts">
          <div class="row"><dt>Name</dt><dd>{d.name || '—'}</dd></div>
          <div class="row"><dt>Signed up</dt><dd>{new Date(d.created_at).toLocaleString()}</dd></div>
          {d.disabled_at ? <div class="row"><dt>Disabled since</dt><dd>{new Date(d.disabled_at).toLocaleString()}</dd></div> : null}
          <div class="row"><dt>Instance administrator</dt><dd>{d.admin ? 'yes' : 'no'}{d.me ? ' (this is you)' : ''}</dd></div>
          <div class="row"><dt>Two-factor log-in</dt><dd>{d.two_factor ? 'on' : 'off'}</dd></div>
          <div class="row"><dt>Account id</dt><dd><code>{d.user_id}</code></dd></div>
        </dl>
        {note ? <p role="status" class="note">{note}</p> : null}
        <ErrorLine error={error} />
        <div class="actions">
          {d.can_disable ? <button type="button" class="danger" onClick={() => setAsking({ what: 'disable' })}>Disable the account</button> : null}
          {d.can_enable ? <button type="button" class="primary" onClick={() => setAsking({ what: 'enable' })}>Enable the account</button> : null}
          {d.can_reset_two_factor ? <button type="button" onClick={() => setAsking({ what: 'reset-2fa' })}>Reset two-factor log-in</button> : null}
          {d.me ? <p class="muted">You cannot disable your own account; another administrator can.</p> : null}
        </div>
      </section>
      <section class="card" aria-labelledby="export-title">
        <div class="section-head">
          <h2 id="export-title">Export</h2>
          {d.export_my_vault_only ? <span class="badge warn">My Vault only</span> : null}
        </div>
        <dl class="facts">
          <div class="row"><dt>May export</dt><dd class="may-export">{d.may_export}</dd></div>
        </dl>
        <details class="help">
          <summary>What “Allow export of My Vault only” does</summary>
          <p>{TEXTS.export_account}</p>
          <p>{TEXTS.export_limits}</p>
        </details>
        <div class="actions">
          <button type="button" onClick={() => setAsking({ what: 'export' })}>
            {d.export_my_vault_only ? 'Allow export of everything they can read' : 'Allow export of My Vault only'}
          </button>
        </div>
      </section>
      <section class="card" aria-labelledby="bound-title">
        <h2 id="bound-title">Organisations</h2>
        <p class="muted">{d.sealed}</p>
        {d.organisations.length === 0 ? <p class="muted">Bound to no organisation.</p> : (
          <table class="table admin-orgs">
            <thead><tr><th scope="col">Organisation id</th><th scope="col">Role</th><th scope="col">Members</th><th scope="col">Owner</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {d.organisations.map((o) => (
                <tr key={o.org_id} class="bound-org">
                  <td data-label="Organisation id"><code>{o.org_id}</code></td>
                  <td data-label="Role" class="nowrap">{o.role}</td>
                  <td data-label="Members" class="nowrap">{o.members}</td>
                  <td data-label="Owner" class="email">{o.owner_email}</td>
                  {o.can_unbind ? (
                    <td class="row-actions"><button type="button" class="small danger" aria-label={`Unbind ${d.email} from organisation ${o.org_id}`} onClick={() => setAsking({ what: 'unbind', org: o })}>Unbind</button></td>
                  ) : <td class="muted refusal">{o.unbind_refusal}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h3>Groups</h3>
        {d.groups.length === 0 ? <p class="muted">In no group.</p> : (
          <table class="table admin-groups">
            <thead><tr><th scope="col">Group id</th><th scope="col">Organisation id</th><th scope="col">Kind</th><th scope="col">Members</th><th scope="col">Place</th></tr></thead>
            <tbody>
              {d.groups.map((g) => (
                <tr key={g.group_id}>
                  <td data-label="Group id"><code>{g.group_id}</code></td>
                  <td data-label="Organisation id"><code>{g.org_id}</code></td>
                  <td data-label="Kind" class="nowrap">{g.private ? 'private' : 'organisation'}</td>
                  <td data-label="Members">{g.members}</td>
                  <td data-label="Place">{[g.member ? 'member' : '', g.manager ? 'manager' : ''].filter(Boolean).join(', ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {asking?.what === 'disable' ? (
        <ConfirmDialog title={`Disable ${d.email}?`} danger action={`Disable ${d.email}`} onClose={() => setAsking(null)}
          text={`Every session of ${d.email} is signed out at once, and the account cannot log in until an administrator enables it again. Nothing of theirs is deleted, and their organisations keep them.`}
          onConfirm={async () => { const r = await core.adminDisable(d.user_id); done(`${d.email} is disabled; ${r.revoked_sessions} session(s) were signed out.`); }} />
      ) : asking?.what === 'reset-2fa' ? (
        <ConfirmDialog title={`Reset the two-factor log-in of ${d.email}?`} danger action="Reset two-factor log-in" onClose={() => setAsking(null)}
          text={`For someone who lost their authenticator app, recovery codes and security keys: all of them stop working, and ${d.email} logs in with the master password alone until they turn two-factor log-in on again. They are told, with your address, at their next unlock. Check first that the request really comes from them.`}
          onConfirm={async () => { await core.adminResetTwoFactor(d.user_id); done(`Two-factor log-in of ${d.email} is off.`); }} />
      ) : asking?.what === 'enable' ? (
        <ConfirmDialog title={`Enable ${d.email}?`} action={`Enable ${d.email}`} onClose={() => setAsking(null)}
          text={`${d.email} can log in again with their master password.`}
          onConfirm={async () => { await core.adminEnable(d.user_id); done(`${d.email} is enabled: they can log in again.`); }} />
      ) : asking?.what === 'export' ? (d.export_my_vault_only ? (
        <ConfirmDialog title={`Let ${d.email} export everything?`} action="Allow export of everything" onClose={() => setAsking(null)}
          text={`${d.email} may again export everything they can read, as far as the groups they are in allow.`}
          onConfirm={async () => { await core.adminSetExportPolicy(d.user_id, false); done(`Changed the export policy of ${d.email}.`); }} />
      ) : (
        <ConfirmDialog title={`Allow ${d.email} to export My Vault only?`} action="Allow export of My Vault only" onClose={() => setAsking(null)}
          text={`${TEXTS.export_account} ${TEXTS.export_limits}`}
          onConfirm={async () => { await core.adminSetExportPolicy(d.user_id, true); done(`Changed the export policy of ${d.email}.`); }} />
      )) : asking?.what === 'unbind' ? (
        <ConfirmDialog title={`Unbind ${d.email}?`} danger action={`Unbind from ${asking.org.org_id}`} onClose={() => setAsking(null)}
          text={`${d.email} loses organisation ${asking.org.org_id} and its vaults at once; they keep their account and My Vault. The owner (${asking.org.owner_email}) signs the member list without them at their next sync, and the keys they held are rotated.`}
          onConfirm={async () => { await core.adminUnbind(d.user_id, asking.org.org_id); done(`${d.email} is unbound from organisation ${asking.org.org_id}.`); }} />
      ) : null}
    </div>
  );
}
