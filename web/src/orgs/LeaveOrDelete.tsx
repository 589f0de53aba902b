import { useState } from 'preact/hooks';
import { core, message, type Org } from '../core';
import { useApp } from '../shell/AppState';
import { navigate } from '../shell/router';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { Dialog } from '../ui/Dialog';
import { ErrorLine } from '../ui/ErrorLine';

// LeaveOrDelete is the end of Settings: a member leaves the organisation
// (the owner sees why not, in the core's words); the owner deletes it.
// Either way the app goes to Organisations, where it is gone.
export function LeaveOrDelete(props: { org: Org }) {
  const app = useApp();
  const o = props.org;
  const [asking, setAsking] = useState<'leave' | 'delete' | null>(null);
  const gone = () => { localStorage.removeItem('coffer.org'); app.changed(); navigate('/orgs'); };
  return (
    <section class="card" aria-labelledby="leave-title">
      <h2 id="leave-title">{o.can_delete ? 'Leave or delete' : 'Leave'}</h2>
      <div class="stack">
        <button type="button" class="danger small" disabled={!o.can_leave} aria-describedby={o.can_leave ? undefined : 'leave-why'} onClick={() => setAsking('leave')}>Leave {o.name}</button>
        {o.can_leave ? <p class="muted">You keep your account and My Vault; you lose {o.name}'s vaults at once.</p>
          : <p class="muted" id="leave-why">{o.leave_refusal}</p>}
        {o.can_delete ? (
          <>
            <button type="button" class="danger small" onClick={() => setAsking('delete')}>Delete {o.name}</button>
            <p class="muted">Deletes the organisation with its vaults and groups, for every member.</p>
          </>
        ) : null}
      </div>
      {asking === 'leave' ? (
        <ConfirmDialog title={`Leave ${o.name}?`} danger action={`Leave ${o.name}`} onClose={() => setAsking(null)}
          text={`You keep your account and My Vault. You lose ${o.name}'s vaults at once, and only its owner (${o.owner_email}) can invite you back.`}
          onConfirm={async () => { await core.leaveOrg(o.id); gone(); }} />
      ) : asking === 'delete' ? <DeleteOrgDialog org={o} onClose={() => setAsking(null)} onDone={gone} /> : null}
    </section>
  );
}

// DeleteOrgDialog asks before deleting an organisation; the items in its
// vaults are purged only when asked to (the core refuses otherwise).
function DeleteOrgDialog(props: { org: Org; onClose: () => void; onDone: () => void }) {
  const [purge, setPurge] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const run = async () => {
    setBusy(true); setError('');
    try { await core.deleteOrg(props.org.id, purge); props.onClose(); props.onDone(); } catch (e) { setError(message(e)); } finally { setBusy(false); }
  };
  return (
    <Dialog title={`Delete ${props.org.name}?`} onClose={props.onClose} role="alertdialog" describedBy="delete-org-text">
      <div class="stack">
        <p id="delete-org-text">Every member loses {props.org.name}, its vaults and its groups at once. This cannot be undone.</p>
        <label><input type="checkbox" checked={purge} onChange={() => setPurge(!purge)} /> Also delete the items in its vaults</label>
        <ErrorLine error={error} />
        <div class="actions end">
          <button type="button" onClick={props.onClose}>Cancel</button>
          <button type="button" class="danger" disabled={busy} onClick={run}>{busy ? 'Working…' : `Delete ${props.org.name}`}</button>
        </div>
      </div>
    </Dialog>
  );
}
