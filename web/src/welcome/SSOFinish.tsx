import { useEffect, useState } from 'preact/hooks';
import { core, message, type Status } from '../core';
import type { SecondFactorChallenge, SSOTicketInfo } from '../core/types.gen';
import { Brand } from '../shell/Brand';
import { navigate } from '../shell/router';
import { ErrorLine } from '../ui/ErrorLine';
import { Field } from '../ui/Field';
import { useKey } from '../webauthn';
import { StrengthMeter } from './StrengthMeter';

// takeReturn reads what the server sent the browser back to /sso with
// (#ticket=… or #error=…) and takes it out of the address at once: a
// ticket must not stay in the history, nor be shared with a link.
function takeReturn(): { ticket: string; error: string } {
  const q = new URLSearchParams(location.hash.slice(1));
  if (location.hash) history.replaceState(null, '', '/sso');
  return { ticket: q.get('ticket') ?? '', error: q.get('error') ?? '' };
}

// SSOFinish is /sso: back from the company's sign-in. The provider proved
// the address; the master password still unlocks — asked here, or chosen
// here for a first sign-in that creates the account.
export function SSOFinish(props: { onDone: (s: Status) => void }) {
  const [back] = useState(takeReturn);
  const [info, setInfo] = useState<SSOTicketInfo | null>(null);
  const [error, setError] = useState(back.ticket || back.error ? '' : 'There is no sign-in to finish here.');
  const [name, setName] = useState('');
  const [pw, setPw] = useState('');
  const [pw2, setPw2] = useState('');
  const [pw2Error, setPw2Error] = useState('');
  // The account has two-factor log-in: what the server asked for.
  const [second, setSecond] = useState<SecondFactorChallenge | null>(null);
  const [code, setCode] = useState('');
  const needCode = !!second && (second.methods.includes('totp') || second.methods.includes('recovery_code'));
  const hasKey = !!second && second.methods.includes('webauthn');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    // The server sends a code; the words are the core's.
    if (back.error) { core.ssoError(back.error).then((s) => setError(s.text), (e) => setError(message(e))); return; }
    if (!back.ticket) return;
    core.ssoTicket(back.ticket).then((i) => { setInfo(i); setName(i.name ?? ''); }, (e) => setError(message(e)));
  }, []);
  const again = async () => {
    setBusy(true);
    try {
      location.assign((await core.ssoStart()).url);
    } catch (e) {
      setError(message(e));
      setBusy(false);
    }
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!info) return;
    setError(''); setPw2Error('');
    if (!info.account && pw !== pw2) { setPw2Error('The two passwords differ.'); return; }
    setBusy(true);
    try {
      const s = info.account ? await core.ssoLogin(back.ticket, info.email, pw, needCode ? code : '') : await core.ssoSignup(back.ticket, info.email, name, pw);
      // Not an error to show: the next step of this log-in.
      if (s.state === 'second-factor') { setSecond(s.second_factor ?? { methods: [] }); return; }
      done(s);
    } catch (err) {
      setCode('');
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  const done = (s: Status) => {
    navigate('/vault', { replace: true });
    props.onDone({ ...s, state: 'unlocked' });
  };
  // The security key, with the challenge the server gave (used once).
  const withKey = async () => {
    if (!info) return;
    setError(''); setBusy(true);
    try {
      let ch = second;
      if (!ch?.webauthn) {
        const s = await core.ssoLogin(back.ticket, info.email, pw, '');
        if (s.state !== 'second-factor') { done(s); return; }
        ch = s.second_factor ?? { methods: [] };
      }
      const options = ch.webauthn;
      setSecond({ ...ch, webauthn: undefined }); // used, whatever happens
      if (!options) return;
      done(await core.loginSecurityKey(info.email, pw, await useKey(options), back.ticket));
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  if (!info) {
    return (
      <div class="welcome">
        <Brand />
        <section class="card narrow" aria-labelledby="sso-title">
          <h1 id="sso-title">{error ? 'Sign-in not finished' : 'Finishing the sign-in…'}</h1>
          <ErrorLine error={error} />
          {error ? (
            <p class="switch">
              <button type="button" class="primary" onClick={() => void again()} disabled={busy}>Sign in again</button>
              <button type="button" class="link" onClick={() => navigate('/login', { replace: true })}>Back to log in</button>
            </p>
          ) : null}
        </section>
      </div>
    );
  }
  const create = !info.account;
  if (create && !info.signup_allowed) {
    return (
      <div class="welcome">
        <Brand />
        <section class="card narrow" aria-labelledby="sso-title">
          <h1 id="sso-title">No account for {info.email}</h1>
          <p>{info.provider} signed you in as <strong>{info.email}</strong>, but this server does not create an account for it.</p>
          <ErrorLine error={info.signup_refused ?? ''} />
          <p class="switch"><button type="button" class="link" onClick={() => navigate('/login', { replace: true })}>Back to log in</button></p>
        </section>
      </div>
    );
  }
  return (
    <div class="welcome">
      <Brand />
      <form class="card" onSubmit={submit} aria-labelledby="sso-title">
        <h1 id="sso-title">{create ? 'Choose your master password' : 'Unlock with your master password'}</h1>
        <p class="invited">Signed in with {info.provider} as <strong>{info.email}</strong>.</p>
        <p class="muted">{create
          ? `${info.email} has no Coffer account yet. Your master password encrypts your vault on this device; ${info.provider} and this server never see it, and nobody can recover it for you.`
          : `${info.provider} proved who you are. Your master password unlocks your vault; ${info.provider} never sees it.`}</p>
        <input type="email" value={info.email} autocomplete="username" readOnly hidden />
        {create ? <Field label="Your name" id="name" value={name} onInput={setName} autocomplete="name" required /> : null}
        <Field label="Master password" id="password" type="password" value={pw} onInput={setPw} autocomplete={create ? 'new-password' : 'current-password'} required autofocus />
        {create ? <StrengthMeter password={pw} /> : null}
        {create ? <Field label="Master password again" id="password2" type="password" value={pw2} onInput={(v) => { setPw2(v); setPw2Error(''); }} autocomplete="new-password" required error={pw2Error} /> : null}
        {hasKey ? (
          <div class="stack">
            <p>This account has two-factor log-in with a security key.</p>
            <button type="button" class={needCode ? '' : 'primary'} disabled={busy} onClick={() => void withKey()}>Use your security key</button>
          </div>
        ) : null}
        {needCode ? <Field label="Two-factor code (or a recovery code)" id="second-factor" value={code} onInput={setCode} autocomplete="one-time-code" required={!hasKey} autofocus={!hasKey} hint="This account has two-factor log-in: the code your authenticator app shows now, or one of your recovery codes." /> : null}
        <ErrorLine error={error} />
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Working…' : create ? 'Create account' : 'Unlock'}</button>
      </form>
    </div>
  );
}
