import { useEffect, useState } from 'preact/hooks';
import { core, CoreError, message, RULES, type Addresses, type Org } from '../core';
import { Dialog } from '../ui/Dialog';
import { ErrorLine } from '../ui/ErrorLine';
import { VerifyBox } from './VerifyBox';

const none: Addresses = { emails: [], bad: [], max: 0 };

// InviteDialog invites people by e-mail: one code for the batch, shown
// next (onInvited) and passed on by another channel. What was typed or
// pasted is read by the client core (its one e-mail rule and batch limit)
// as it is typed.
export function InviteDialog(props: { org: Org; onClose: () => void; onInvited: (r: { code: string; emails: string[]; mail: string }) => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [unverified, setUnverified] = useState(false);
  const [already, setAlready] = useState(false);
  const [parsed, setParsed] = useState<Addresses>(none);
  useEffect(() => {
    let live = true;
    core.checkAddresses(text).then((a) => { if (live) setParsed(a); }, () => undefined);
    return () => { live = false; };
  }, [text]);
  const send = async (reissue: boolean) => {
    setError(''); setAlready(false);
    setBusy(true);
    try {
      const checked = await core.checkAddresses(text);
      setParsed(checked);
      if (checked.problem) { setError(`${checked.problem} Nothing was sent.`); return; }
      const r = reissue ? await core.reissue(props.org.id, checked.emails) : await core.invite(props.org.id, checked.emails);
      props.onInvited({ code: r.code, emails: checked.emails, mail: r.mail });
    } catch (err) {
      setError(message(err));
      if (err instanceof CoreError && err.kind === 'unverified') setUnverified(true);
      if (err instanceof CoreError && err.kind === 'already-invited') setAlready(true);
    } finally { setBusy(false); }
  };
  const submit = (e: Event) => { e.preventDefault(); void send(false); };
  const over = parsed.max > 0 && parsed.emails.length > parsed.max;
  return (
    <Dialog title={`Invite people to ${props.org.name}`} onClose={props.onClose}>
      <form class="stack" onSubmit={submit}>
        <div class={parsed.bad.length || over ? 'field invalid' : 'field'}>
          <label for="invite-emails">E-mail addresses (1–{parsed.max || RULES.invite_batch_max}; one per line, or pasted as a list)</label>
          <textarea id="invite-emails" rows={5} value={text} aria-describedby="invite-count" autofocus
            onInput={(e) => { setText((e.target as HTMLTextAreaElement).value); setError(''); }} />
          <span id="invite-count" class={parsed.bad.length || over ? 'field-error' : 'hint'}>
            {parsed.bad.length ? `Not an address: ${parsed.bad.join(', ')}` : `${parsed.emails.length} address${parsed.emails.length === 1 ? '' : 'es'}${over ? ` — at most ${parsed.max}` : ''}`}
          </span>
        </div>
        <p class="muted">Each person gets an e-mail with a Join link; you get one confirmation code for all of them, to pass on by another channel.</p>
        <ErrorLine error={error} />
        {already ? <p>A new invitation replaces the one that still works: its code and Join link stop working. <button type="button" class="link" onClick={() => void send(true)}>Re-issue the invitations</button></p> : null}
        {unverified ? <VerifyBox onDone={() => { setUnverified(false); setError(''); }} /> : null}
        <div class="actions end">
          <button type="button" onClick={props.onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={busy}>{busy ? 'Working…' : 'Invite'}</button>
        </div>
      </form>
    </Dialog>
  );
}
