import { useState } from 'preact/hooks';
import { core, message } from '../core';
import type { SecurityKey } from '../core/types.gen';
import { Dialog } from '../ui/Dialog';
import { ErrorLine } from '../ui/ErrorLine';
import { Field } from '../ui/Field';

// RemoveSecurityKey asks before a security key is removed, with the
// master password (the server wants it proved afresh: a stolen session
// alone cannot take a second factor away).
export function RemoveSecurityKey(props: { k: SecurityKey; onRemoved: () => void; onClose: () => void }) {
  const [pw, setPw] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const remove = async (e: Event) => {
    e.preventDefault();
    setBusy(true); setError('');
    try {
      await core.securityKeyRemove(pw, props.k.id);
      props.onRemoved();
      props.onClose();
    } catch (err) { setError(message(err)); } finally { setBusy(false); }
  };
  return (
    <Dialog title={`Remove “${props.k.name}”?`} onClose={props.onClose} role="alertdialog" describedBy="remove-key-text">
      <form class="stack" onSubmit={remove}>
        <p id="remove-key-text">This key will no longer log in to your account. If it is your last second factor, two-factor log-in ends and the recovery codes are void.</p>
        <Field label="Master password" id="remove-key-pw" type="password" value={pw} onInput={setPw} autocomplete="current-password" required autofocus />
        <ErrorLine error={error} />
        <div class="actions end">
          <button type="button" onClick={props.onClose}>Cancel</button>
          <button type="submit" class="danger" disabled={busy || !pw}>{busy ? 'Working…' : 'Remove the key'}</button>
        </div>
      </form>
    </Dialog>
  );
}
