import { useState } from 'preact/hooks';
import { Dialog } from './Dialog';
import { ErrorLine } from './ErrorLine';
import { message } from '../core';

// ConfirmDialog asks before a consequential action: it says what will
// happen, and its button is named by what it does ("Remove ben@… from
// PVY"), never "OK". The action runs here, so a failure is said in the
// dialog, next to the button that caused it.
export function ConfirmDialog(props: { title: string; text: string; action: string; danger?: boolean; onConfirm: () => Promise<unknown>; onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const run = async () => {
    setBusy(true); setError('');
    try { await props.onConfirm(); props.onClose(); } catch (e) { setError(message(e)); } finally { setBusy(false); }
  };
  return (
    <Dialog title={props.title} onClose={props.onClose} role="alertdialog" describedBy="confirm-text">
      <p id="confirm-text">{props.text}</p>
      <ErrorLine error={error} />
      <div class="actions end">
        <button type="button" onClick={props.onClose}>Cancel</button>
        <button type="button" class={props.danger ? 'danger' : 'primary'} disabled={busy} onClick={run} autofocus>{busy ? 'Working…' : props.action}</button>
      </div>
    </Dialog>
  );
}
