import { useEffect, useState } from 'preact/hooks';
import { core, message, type Account } from '../core';
import { strength } from '../strength';
import { ErrorLine } from '../ui/ErrorLine';
import { Field } from '../ui/Field';
import { DeleteAccount } from './DeleteAccount';
import { KDFForm } from './KDFForm';
import { SecurityKeys } from './SecurityKeys';
import { TwoFactor } from './TwoFactor';

// Security: change the master password (optionally signing out every
// other session), raise the key derivation's cost, two-factor log-in
// (an authenticator app; security keys), delete the account.
export function Security(props: { onDeleted?: () => void }) {
  const [acct, setAcct] = useState<Account | null>(null);
  const [cur, setCur] = useState('');
  const [next, setNext] = useState('');
  const [next2, setNext2] = useState('');
  const [revoke, setRevoke] = useState(true);
  const [note, setNote] = useState('');
  const [kdfNote, setKdfNote] = useState('');
  const [error, setError] = useState('');
  const [mismatch, setMismatch] = useState('');
  useEffect(() => { core.account().then(setAcct, (e) => setError(message(e))); }, []);
  const change = async (e: Event) => {
    e.preventDefault();
    setError(''); setNote(''); setMismatch('');
    if (next !== next2) { setMismatch('The two new passwords differ.'); return; }
    try {
      const r = await core.password(cur, next, revoke);
      setCur(''); setNext(''); setNext2('');
      setNote(`Master password changed.${revoke ? ` ${r.revoked_sessions} other session(s) were signed out.` : ''} Every device unlocks with the new one from now on.`);
    } catch (err) { setError(message(err)); }
  };
  const st = strength(next);
  return (
    <div class="stack-page">
      <section class="card account" aria-labelledby="pw-title">
        <form class="stack" onSubmit={change}>
          <h2 id="pw-title">Change the master password</h2>
          <Field label="Current master password" id="pw-current" type="password" value={cur} onInput={setCur} autocomplete="current-password" required />
          <Field label="New master password" id="pw-new" type="password" value={next} onInput={setNext} autocomplete="new-password" required hint={next ? st.label : undefined} />
          <Field label="New master password again" id="pw-new2" type="password" value={next2} onInput={(v) => { setNext2(v); setMismatch(''); }} autocomplete="new-password" required error={mismatch} />
          <label><input type="checkbox" checked={revoke} onChange={() => setRevoke(!revoke)} /> Sign out every other session</label>
          {note ? <p role="status">{note}</p> : null}
          <ErrorLine error={error} />
          <button type="submit" class="primary">Change the master password</button>
        </form>
      </section>
      <section class="card" aria-labelledby="kdf-title">
        {acct ? <KDFForm key={JSON.stringify(acct.kdf)} current={acct.kdf} onDone={(a) => { setAcct(a); setKdfNote(`Argon2id is now t=${a.kdf.time}, ${a.kdf.memory_kib / 1024} MiB, p=${a.kdf.threads}: every device unlocks with these from now on.`); }} /> : <p class="muted">Opening…</p>}
        {kdfNote ? <p role="status">{kdfNote}</p> : null}
      </section>
      <TwoFactor />
      <SecurityKeys />
      {props.onDeleted ? <DeleteAccount onDeleted={props.onDeleted} /> : null}
    </div>
  );
}
