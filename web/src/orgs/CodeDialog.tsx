import { useState } from 'preact/hooks';
import { Dialog } from '../ui/Dialog';
import { copy } from '../ui/copy';

// CodeDialog shows an invitation's confirmation code once, with its Copy
// button; it closes only after the person says the code is copied
// (Escape does not lose it).
export function CodeDialog(props: { code: string; emails: string[]; mail: string; joinLink: string; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  const [note, setNote] = useState('');
  const mailNote = props.mail === 'sent' ? 'An e-mail with a Join link went to each address; the code is not in it.'
    : props.mail === 'failed' ? 'Sending the e-mail failed: send each person the Join link below yourself, and the code by another channel.'
      : 'No e-mail was sent (this server has no mail set up): send each person the Join link below yourself, and the code by another channel.';
  return (
    <Dialog title="Confirmation code" onClose={() => setNote('Copy the code first, and tick the box — it is shown only now.')} sticky describedBy="code-advice">
      <p>For {props.emails.length === 1 ? props.emails[0] : `${props.emails.length} people: ${props.emails.join(', ')}`}.</p>
      <p class="code-box"><code id="invite-code">{props.code}</code>
        <button type="button" class="primary" aria-label="Copy the code" onClick={() => void copy(props.code, (n) => { setNote(n); if (n.startsWith('Copied')) setCopied(true); })}>Copy</button></p>
      <p id="code-advice">Pass the code on by another channel than e-mail — in person, by phone, or in a chat you trust. It is shown only now; nobody, not even the server, can show it again. {mailNote}</p>
      {props.mail === 'sent' ? null : (
        <p class="code-box"><code id="join-link">{props.joinLink}</code>
          <button type="button" class="small" aria-label="Copy the Join link" onClick={() => void copy(props.joinLink, setNote)}>Copy</button></p>
      )}
      <label><input type="checkbox" checked={copied} onChange={() => setCopied(!copied)} /> I have copied the code</label>
      {note ? <p role="status" class="muted">{note}</p> : null}
      <div class="actions end"><button type="button" disabled={!copied} onClick={props.onClose}>Close</button></div>
    </Dialog>
  );
}
