import { useState } from 'preact/hooks';
import { core, CoreError, message, type Org } from '../core';
import { Dialog } from '../ui/Dialog';
import { ErrorLine } from '../ui/ErrorLine';
import { parseAddresses } from './addresses';
import { VerifyBox } from './VerifyBox';

const MAX_INVITES = 50;

// InviteDialog invites people by e-mail: one code for the batch, shown
// next (onInvited) and passed on by another channel.
export function InviteDialog(props: { org: Org; onClose: () => void; onInvited: (r: { code: string; emails: string[]; mail: string }) => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [unverified, setUnverified] = useState(false);
  const parsed = parseAddresses(text);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    if (parsed.bad.length) { setError(`Not an e-mail address: ${parsed.bad.join(', ')}. Nothing was sent.`); return; }
    if (parsed.emails.length === 0) { setError('Type or paste at least one address.'); return; }
    if (parsed.emails.length > MAX_INVITES) { setError(`At most ${MAX_INVITES} addresses at a time (${parsed.emails.length} given). Nothing was sent.`); return; }
    setBusy(true);
    try {
      const r = await core.invite(props.org.id, parsed.emails);
      props.onInvited({ code: r.code, emails: parsed.emails, mail: r.mail });
    } catch (err) {
      setError(message(err));
      if (err instanceof CoreError && err.kind === 'unverified') setUnverified(true);
    } finally { setBusy(false); }
  };
  const over = parsed.emails.length > MAX_INVITES;
  return (
    <Dialog title={`Invite people to ${props.org.name}`} onClose={props.onClose}>
      <form class="stack" onSubmit={submit}>
        <div class={parsed.bad.length || over ? 'field invalid' : 'field'}>
          <label for="invite-emails">E-mail addresses (1–{MAX_INVITES}; one per line, or pasted as a list)</label>
          <textarea id="invite-emails" rows={5} value={text} aria-describedby="invite-count" autofocus
            onInput={(e) => { setText((e.target as HTMLTextAreaElement).value); setError(''); }} />
          <span id="invite-count" class={parsed.bad.length || over ? 'field-error' : 'hint'}>
            {parsed.bad.length ? `Not an address: ${parsed.bad.join(', ')}` : `${parsed.emails.length} address${parsed.emails.length === 1 ? '' : 'es'}${over ? ` — at most ${MAX_INVITES}` : ''}`}
          </span>
        </div>
        <p class="muted">Each person gets an e-mail with a Join link; you get one confirmation code for all of them, to pass on by another channel.</p>
        <ErrorLine error={error} />
        {unverified ? <VerifyBox onDone={() => { setUnverified(false); setError(''); }} /> : null}
        <div class="actions end">
          <button type="button" onClick={props.onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={busy}>{busy ? 'Working…' : 'Invite'}</button>
        </div>
      </form>
    </Dialog>
  );
}
