import { useState } from 'preact/hooks';
import { core, message, sentence } from '../core';
import type { RestoreAccepted } from '../core/types.gen';
import { Dialog } from '../ui/Dialog';
import { ErrorLine } from '../ui/ErrorLine';

// RestoreDialog asks the person what to do about a server restored from
// a backup (docs/protocol.md §9.1): text is the core's sentence (what
// this device holds that the server lost). "Give back what this device
// holds" accepts the restore (acceptRestore) and then says, in the core's
// words, what was given back and what could not be, and why; "Not now"
// changes nothing — the next unlock or sync asks again. onAccepted tells
// the app to read everything anew.
export function RestoreDialog(props: { text: string; onClose: () => void; onAccepted: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState<RestoreAccepted | null>(null);
  const give = async () => {
    setBusy(true); setError('');
    try {
      setDone(await core.acceptRestore());
      props.onAccepted();
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };
  const title = 'The server was restored from a backup';
  if (done) {
    return (
      <Dialog title={title} onClose={props.onClose} describedBy="restore-done">
        <p id="restore-done" role="status">{done.text}</p>
        {done.given_back.length ? <ul class="given-back" aria-label="Given back">{done.given_back.map((i) => <li key={i.id}>{i.text}</li>)}</ul> : null}
        {done.not_given_back.length ? <ul class="not-given-back" aria-label="Not given back">{done.not_given_back.map((i) => <li key={i.id}>{i.text}</li>)}</ul> : null}
        <div class="actions end">
          <button type="button" class="primary" onClick={props.onClose} autofocus>Close</button>
        </div>
      </Dialog>
    );
  }
  return (
    <Dialog title={title} onClose={props.onClose} role="alertdialog" describedBy="restore-text">
      <p id="restore-text">{sentence(props.text)}</p>
      <ErrorLine error={error} />
      <div class="actions end">
        <button type="button" onClick={props.onClose} disabled={busy}>Not now</button>
        <button type="button" class="primary" disabled={busy} onClick={() => void give()} autofocus>{busy ? 'Giving back…' : 'Give back what this device holds'}</button>
      </div>
    </Dialog>
  );
}
