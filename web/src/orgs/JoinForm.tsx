import { useState } from 'preact/hooks';
import { core, CoreError, message } from '../core';
import { ErrorLine } from '../ui/ErrorLine';
import { Field } from '../ui/Field';
import { VerifyBox } from './VerifyBox';

// JoinForm takes the confirmation code for an invitation.
export function JoinForm(props: { org?: string; onJoined: (r: { org_id: string; org_name: string; owner_email: string }) => void; onFailed?: () => void }) {
  const [org, setOrg] = useState(props.org ?? '');
  const [unverified, setUnverified] = useState(false);
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(''); setBusy(true);
    try {
      const r = await core.join(org, code);
      setCode('');
      if (!props.org) setOrg('');
      props.onJoined(r);
    } catch (err) {
      // The server counts wrong codes per invitation (5): say how many
      // are left, and what to do once none is.
      const left = err instanceof CoreError ? /(\d+) of (\d+) attempts? left/.exec(err.message) : null;
      if (left) setError(Number(left[1]) > 0 ? `That code is wrong (${left[1]} of ${left[2]} attempts left). Check it with the person who invited you.` : 'That code is wrong, and no attempts are left: ask the person who invited you to re-issue the invitation.');
      else setError(message(err)); // a locked invitation: the core says what to do
      if (err instanceof CoreError && err.kind === 'unverified') setUnverified(true);
      props.onFailed?.(); // the invitation may be locked now: its page asks the core again
    } finally { setBusy(false); }
  };
  return (
    <form class="stack" onSubmit={submit} aria-labelledby="join-title">
      <h3 id="join-title">Join an organisation</h3>
      {props.org ? null : <Field label="Organisation (its name, or the org= part of the Join link)" id="join-org" value={org} onInput={setOrg} required />}
      <Field label="Confirmation code" id="join-code" value={code} onInput={setCode} required autofocus={!!props.org} autocomplete="off" hint="The code comes from the person who invited you, by another channel than e-mail." />
      <ErrorLine error={error} />
      {unverified ? <VerifyBox onDone={() => { setUnverified(false); setError(''); }} /> : null}
      <button type="submit" class="primary" disabled={busy}>{busy ? 'Working…' : 'Join'}</button>
    </form>
  );
}
