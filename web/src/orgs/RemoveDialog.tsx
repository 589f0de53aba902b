import { useState } from 'preact/hooks';
import { core, message, type Member, type Org } from '../core';
import { Link } from '../shell/Link';
import { href } from '../shell/routes';
import { Dialog } from '../ui/Dialog';
import { ErrorLine } from '../ui/ErrorLine';

// RemoveDialog asks before removing a member, and once they are removed
// offers what they could read (the exposure report): the passwords to
// change now.
export function RemoveDialog(props: { org: Org; member: Member; onRemoved: () => void; onClose: () => void }) {
  const { org, member } = props;
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState('');
  const run = async () => {
    setBusy(true); setError('');
    try { await core.removeMember(org.id, member.email); setDone(true); props.onRemoved(); } catch (e) { setError(message(e)); } finally { setBusy(false); }
  };
  return (
    <Dialog title={done ? `${member.email} was removed` : `Remove ${member.email}?`} onClose={props.onClose} role="alertdialog" describedBy="remove-text">
      {done ? (
        <>
          <p id="remove-text">{member.email} can no longer open any vault of {org.name}. What they could read until now, they may have copied: see what it was, and change those passwords.</p>
          <div class="actions end">
            <button type="button" onClick={props.onClose}>Close</button>
            <Link href={href({ screen: 'exposure', org: org.id, who: member.email })} class="button primary" onClick={props.onClose}>What they could read</Link>
          </div>
        </>
      ) : (
        <>
          <p id="remove-text">{member.email} can no longer open any vault of {org.name}, from now on. Their own items (My Vault) stay theirs.</p>
          <ErrorLine error={error} />
          <div class="actions end">
            <button type="button" onClick={props.onClose}>Cancel</button>
            <button type="button" class="danger" disabled={busy} onClick={run} autofocus>{busy ? 'Working…' : `Remove ${member.email} from ${org.name}`}</button>
          </div>
        </>
      )}
    </Dialog>
  );
}
