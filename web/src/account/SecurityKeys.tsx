import { useEffect, useState } from 'preact/hooks';
import { core, message } from '../core';
import type { SecurityKey, TwoFactorStatus } from '../core/types.gen';
import { ErrorLine } from '../ui/ErrorLine';
import { Field } from '../ui/Field';
import { createKey } from '../webauthn';
import { RemoveSecurityKey } from './RemoveSecurityKey';

const when = (t: string) => new Date(t).toLocaleString();
const never = (t: string) => !t || t.startsWith('0001-');

// SecurityKeys: security keys (WebAuthn) as a second factor at log-in
// (docs/protocol.md §8.2): add one with a name, list them, remove one.
// The options come from the core and the browser's answer goes back to
// it as it is (webauthn.ts).
export function SecurityKeys() {
  const [status, setStatus] = useState<TwoFactorStatus | null>(null);
  const [name, setName] = useState('');
  const [pw, setPw] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [removing, setRemoving] = useState<SecurityKey | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const refresh = () => core.twoFactorStatus().then(setStatus, (e) => setError(message(e)));
  useEffect(() => { refresh(); }, []);
  const add = async (e: Event) => {
    e.preventDefault();
    setBusy(true); setError(''); setNote('');
    try {
      const begin = await core.securityKeyBegin(pw);
      setPw('');
      const credential = await createKey(begin.options);
      const added = await core.securityKeyFinish(name, credential);
      setName('');
      setNote(`Security key “${added.key.name}” added: log-ins ask for it from now on.`);
      if (added.recovery_codes?.length) setCodes(added.recovery_codes);
      await refresh();
    } catch (err) { setError(message(err)); } finally { setBusy(false); }
  };
  const keys = status?.security_keys ?? [];
  return (
    <section class="card" aria-labelledby="keys-title">
      <h2 id="keys-title">Security keys</h2>
      {codes ? (
        <div class="stack">
          <p role="status">Keep these recovery codes somewhere safe: each logs in once without your security key, and they are not shown again.</p>
          <ul class="recovery-codes" aria-label="Recovery codes">{codes.map((c) => <li key={c}><code>{c}</code></li>)}</ul>
          <div class="actions"><button type="button" class="primary" onClick={() => setCodes(null)}>I have saved them</button></div>
        </div>
      ) : (
        <form class="stack" onSubmit={add}>
          <p>Log in with a security key (or a passkey on this device) besides the master password. Keys work in the web app; the command line takes an authenticator app's code or a recovery code.</p>
          {status && keys.length === 0 ? <p class="muted">No security keys yet.</p> : null}
          {keys.length > 0 ? (
            <ul class="rows devices" aria-label="Security keys">
              {keys.map((k) => (
                <li key={k.id} class="row-line">
                  <span class="name">
                    <strong>{k.name}</strong>
                    <br />
                    <span class="hint">Added {when(k.created_at)} · {never(k.last_used_at) ? 'never used' : `last used ${when(k.last_used_at)}`}</span>
                  </span>
                  <button type="button" class="small" onClick={() => { setNote(''); setRemoving(k); }} aria-label={`Remove ${k.name}`}>Remove</button>
                </li>
              ))}
            </ul>
          ) : null}
          <Field label="Name of the key" id="key-name" value={name} onInput={setName} required hint="So you can tell your keys apart, e.g. “YubiKey on my keyring”." />
          <Field label="Master password" id="key-pw" type="password" value={pw} onInput={setPw} autocomplete="current-password" required />
          {note ? <p role="status">{note}</p> : null}
          <ErrorLine error={error} />
          <div class="actions"><button type="submit" class="primary" disabled={busy || !pw || !name.trim()}>{busy ? 'Touch your key…' : 'Add a security key'}</button></div>
        </form>
      )}
      {removing ? <RemoveSecurityKey k={removing} onClose={() => setRemoving(null)} onRemoved={() => { setNote(`Security key “${removing.name}” removed.`); refresh(); }} /> : null}
    </section>
  );
}
