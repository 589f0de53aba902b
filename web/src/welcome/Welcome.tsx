import { useState } from 'preact/hooks';
import { core, CoreError, message, type Status } from '../core';
import { Brand } from '../shell/Brand';
import { ErrorLine } from '../ui/ErrorLine';
import { Field } from '../ui/Field';
import { navigate } from '../shell/router';
import { SSOButton } from './SSOButton';
import { StrengthMeter } from './StrengthMeter';
import type { SecondFactorChallenge } from '../core/types.gen';
import { useKey } from '../webauthn';

export type WelcomeMode = 'unlock' | 'login' | 'signup';

// Welcome is every screen before the vault: log in, create an account,
// unlock. It stays at the address it was opened at (a shared link to an
// item, or the screen that locked), so the unlock lands there.
export function Welcome(props: { status: Status; mode?: WelcomeMode; invited?: boolean; note?: string; onDone: (s: Status) => void }) {
  const locked = props.status.state === 'locked';
  const [mode, setModeState] = useState<WelcomeMode>(props.mode && (props.mode !== 'unlock' || locked) ? props.mode : locked ? 'unlock' : 'signup');
  // The Join link names the invited address: the form starts with it.
  const [email, setEmail] = useState(props.status.email ?? (props.invited ? new URLSearchParams(location.search).get('email') ?? '' : ''));
  const [name, setName] = useState('');
  const [pw, setPw] = useState('');
  const [pw2, setPw2] = useState('');
  const [error, setError] = useState('');
  const [pw2Error, setPw2Error] = useState('');
  const [busy, setBusy] = useState(false);
  // A sign-up the server holds until the code it mailed comes back.
  const [held, setHeld] = useState<{ userID: string; email: string } | null>(null);
  const [code, setCode] = useState('');
  // The account has two-factor log-in: what the server asked for (a code,
  // a security key or either).
  const [second, setSecond] = useState<SecondFactorChallenge | null>(null);
  const [tfCode, setTfCode] = useState('');
  const needCode = !!second && (second.methods.includes('totp') || second.methods.includes('recovery_code'));
  const hasKey = !!second && second.methods.includes('webauthn');
  const setMode = (m: WelcomeMode) => {
    setModeState(m); setError(''); setPw2Error('');
    // The open screens have their own addresses; elsewhere the address
    // stays (it is where the person goes after this).
    if (['/login', '/signup', '/unlock', '/'].includes(location.pathname)) navigate(`/${m}`, { replace: true });
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(''); setPw2Error('');
    if (mode === 'signup' && pw !== pw2) { setPw2Error('The two passwords differ.'); return; }
    setBusy(true);
    try {
      if (held) {
        await core.verifySignup(held.userID, code);
        props.onDone({ ...(await core.login(held.email, pw)), state: 'unlocked' });
        return;
      }
      let s;
      try {
        s = mode === 'signup' ? await core.signup(email, name, pw) : mode === 'login' ? await core.login(email, pw, needCode ? tfCode : '') : await core.unlock(pw);
      } catch (err) {
        // An unlock whose server session ended logs in again: the account
        // asks its second factor.
        if (!(err instanceof CoreError && err.kind === 'second-factor-required') || mode === 'login') throw err;
        setModeState('login');
        s = await core.login(email, pw, '');
      }
      if (s.state === 'verify') { setHeld({ userID: s.user_id ?? '', email: s.email ?? email }); return; }
      // Not an error to show: the next step of this log-in.
      if (s.state === 'second-factor') { setSecond(s.second_factor ?? { methods: [] }); return; }
      props.onDone({ ...s, state: 'unlocked' });
    } catch (err) {
      setTfCode('');
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  // The security key: the challenge the server gave (used once; after a
  // failure a fresh one is asked for with the password again).
  const withKey = async () => {
    setError(''); setBusy(true);
    try {
      let ch = second;
      if (!ch?.webauthn) {
        const s = await core.login(email, pw, '');
        if (s.state !== 'second-factor') { props.onDone({ ...s, state: 'unlocked' }); return; }
        ch = s.second_factor ?? { methods: [] };
        setSecond(ch);
      }
      if (!ch.webauthn) { setError('Security keys work only at the address they were added at; use a code here.'); return; }
      const options = ch.webauthn;
      setSecond({ ...ch, webauthn: undefined }); // used, whatever happens
      const s = await core.loginSecurityKey(email, pw, await useKey(options));
      props.onDone({ ...s, state: 'unlocked' });
    } catch (err) {
      setError(err instanceof CoreError && err.kind === 'wrong-second-factor' ? 'The security key was refused: it is not a key of this account (or was removed). Try another key, or a code.' : message(err));
    } finally {
      setBusy(false);
    }
  };
  const titles = { unlock: 'Unlock', login: 'Log in', signup: 'Create your account' };
  if (held) {
    return (
      <div class="welcome">
        <Brand />
        <form class="card" onSubmit={submit} aria-labelledby="welcome-title">
          <h1 id="welcome-title">Check your e-mail</h1>
          <p>This server mailed a code to {held.email}. Enter it here to finish creating your account. (If the address has an account already, no code comes: log in instead.)</p>
          <Field label="Code from the e-mail" id="signup-code" value={code} onInput={setCode} required autofocus autocomplete="one-time-code" />
          <ErrorLine error={error} />
          <button type="submit" class="primary" disabled={busy}>{busy ? 'Working…' : 'Verify and log in'}</button>
          <p class="switch"><button type="button" class="link" onClick={() => { setHeld(null); setMode('login'); }}>Log in instead</button></p>
        </form>
      </div>
    );
  }
  return (
    <div class="welcome">
      <Brand />
      <form class="card" onSubmit={submit} aria-labelledby="welcome-title">
        <h1 id="welcome-title">{titles[mode]}</h1>
        {props.invited ? <p class="invited">You were invited to an organisation. Log in, or create your account, with the address the invitation went to; then enter the confirmation code you were given.</p> : null}
        {mode === 'unlock' ? <p class="muted">Locked as <strong>{props.status.email ?? ''}</strong></p> : null}
        {mode === 'unlock' && props.note ? <p role="status">{props.note}</p> : null}
        {mode !== 'unlock' ? <Field label="E-mail" id="email" type="email" value={email} onInput={setEmail} autocomplete="username" required autofocus /> : null}
        {mode === 'signup' ? <Field label="Your name" id="name" value={name} onInput={setName} autocomplete="name" required /> : null}
        <Field label="Master password" id="password" type="password" value={pw} onInput={setPw} autocomplete={mode === 'signup' ? 'new-password' : 'current-password'} required autofocus={mode === 'unlock'} />
        {mode === 'signup' ? <StrengthMeter password={pw} /> : null}
        {hasKey && mode === 'login' ? (
          <div class="stack">
            <p>This account has two-factor log-in with a security key.</p>
            <button type="button" class={needCode ? '' : 'primary'} disabled={busy} onClick={withKey}>Use your security key</button>
          </div>
        ) : null}
        {needCode && mode === 'login' ? <Field label={second?.methods.includes('totp') ? 'Two-factor code (or a recovery code)' : 'Recovery code'} id="second-factor" value={tfCode} onInput={setTfCode} autocomplete="one-time-code" required={!hasKey} autofocus={!hasKey} hint={second?.methods.includes('totp') ? 'This account has two-factor log-in: the code your authenticator app shows now, or one of your recovery codes.' : 'Or one of your recovery codes.'} /> : null}
        {mode === 'signup' ? <Field label="Master password again" id="password2" type="password" value={pw2} onInput={(v) => { setPw2(v); setPw2Error(''); }} autocomplete="new-password" required error={pw2Error} /> : null}
        <ErrorLine error={error} />
        {hasKey && !needCode && mode === 'login' ? null : <button type="submit" class="primary" disabled={busy}>{busy ? 'Working…' : titles[mode]}</button>}
        <p class="switch">
          {mode !== 'signup' ? <button type="button" class="link" onClick={() => setMode('signup')}>Create an account</button> : null}
          {mode !== 'login' ? <button type="button" class="link" onClick={() => setMode('login')}>{locked ? 'Log in as someone else' : 'Log in'}</button> : null}
          {mode === 'login' && locked ? <button type="button" class="link" onClick={() => setMode('unlock')}>Unlock</button> : null}
        </p>
      </form>
      {mode !== 'unlock' ? <SSOButton /> : null}
    </div>
  );
}
