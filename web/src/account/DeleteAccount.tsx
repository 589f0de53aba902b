import { useState } from 'preact/hooks';
import { core, message } from '../core';
import { Dialog } from '../ui/Dialog';
import { ErrorLine } from '../ui/ErrorLine';
import { Field } from '../ui/Field';

// DeleteAccount deletes this account for good, with the master password
// proved afresh. The core refuses it while the account owns an
// organisation, in its own words (transfer ownership first).
export function DeleteAccount(props: { onDeleted: () => void }) {
  const [open, setOpen] = useState(false);
  const [pw, setPw] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const close = () => { setOpen(false); setPw(''); setError(''); };
  const run = async (e: Event) => {
    e.preventDefault();
    setBusy(true); setError('');
    try { await core.deleteAccount(pw); setPw(''); props.onDeleted(); } catch (err) { setError(message(err)); } finally { setBusy(false); }
  };
  return (
    <section class="card" aria-labelledby="delete-account-title">
      <h2 id="delete-account-title">Delete your account</h2>
      <p>Deletes your account for good: My Vault, its files and every session. You leave every organisation at once; what you wrote in organisation vaults stays there. Not while you own an organisation: transfer ownership or delete it first.</p>
      <div class="actions"><button type="button" class="danger small" onClick={() => setOpen(true)}>Delete your account…</button></div>
      {open ? (
        <Dialog title="Delete your account for good?" onClose={close} role="alertdialog" describedBy="delete-account-text">
          <form class="stack" onSubmit={run}>
            <p id="delete-account-text">Nothing of My Vault can be recovered afterwards, by anyone. Enter your master password to confirm.</p>
            <Field label="Master password" id="delete-account-pw" type="password" value={pw} onInput={setPw} autocomplete="current-password" required autofocus />
            <ErrorLine error={error} />
            <div class="actions end">
              <button type="button" onClick={close}>Cancel</button>
              <button type="submit" class="danger" disabled={busy || !pw}>{busy ? 'Deleting…' : 'Delete my account'}</button>
            </div>
          </form>
        </Dialog>
      ) : null}
    </section>
  );
}
