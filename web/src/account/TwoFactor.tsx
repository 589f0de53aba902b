import { useEffect, useState } from 'preact/hooks';
import { core, message } from '../core';
import type { TwoFactorStart, TwoFactorStatus } from '../core/types.gen';
import { ErrorLine } from '../ui/ErrorLine';
import { Field } from '../ui/Field';

// QR draws the otpauth URI's QR modules as SVG rectangles: the page's CSP
// allows no data: image, and the modules come from the core.
export function QR(props: { rows: string[]; label: string }) {
  const n = props.rows.length;
  const quiet = 4; // the margin scanners need
  const rects = [];
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if (props.rows[y][x] === '1') rects.push(<rect key={`${x},${y}`} x={x + quiet} y={y + quiet} width={1} height={1} />);
    }
  }
  const size = n + 2 * quiet;
  return (
    <svg class="qr" role="img" aria-label={props.label} viewBox={`0 0 ${size} ${size}`} width={size * 5} height={size * 5} shape-rendering="crispEdges">
      <rect x={0} y={0} width={size} height={size} fill="#fff" />
      <g fill="#000">{rects}</g>
    </svg>
  );
}

// TwoFactor: two-factor log-in with an authenticator app (TOTP) and
// recovery codes. Server authentication only: the master password and
// the vault's keys are untouched.
export function TwoFactor() {
  const [status, setStatus] = useState<TwoFactorStatus | null>(null);
  const [pw, setPw] = useState('');
  const [code, setCode] = useState('');
  const [started, setStarted] = useState<TwoFactorStart | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  // The organisations that require two-factor log-in (§8.3), as this
  // device last synced them: while any does, turning it off is refused.
  const [requiring, setRequiring] = useState<{ name: string; owner: boolean }[]>([]);
  const refresh = () => core.twoFactorStatus().then(setStatus, (e) => setError(message(e)));
  useEffect(() => {
    refresh();
    core.orgs().then((list) => setRequiring(list.filter((o) => o.require_two_factor).map((o) => ({ name: o.name, owner: o.role === 'owner' }))), () => undefined);
  }, []);
  const run = (fn: () => Promise<void>) => async (e: Event) => {
    e.preventDefault();
    setBusy(true); setError(''); setNote('');
    try { await fn(); } catch (err) { setError(message(err)); } finally { setBusy(false); }
  };
  const start = run(async () => { setStarted(await core.twoFactorStart(pw)); setPw(''); setCode(''); });
  const confirm = run(async () => {
    const r = await core.twoFactorConfirm(code);
    setCodes(r.recovery_codes); setStarted(null); setCode('');
    await refresh();
  });
  const newCodes = run(async () => {
    const r = await core.twoFactorRecoveryCodes(pw);
    setPw(''); setCode(''); setCodes(r.recovery_codes);
    await refresh();
  });
  const disable = run(async () => {
    await core.twoFactorDisable(pw, code);
    setPw(''); setCode(''); setNote('Two-factor log-in is off; the recovery codes are void.');
    await refresh();
  });
  let body;
  if (codes) {
    body = (
      <div class="stack">
        <p role="status">Two-factor log-in is on. Keep these recovery codes somewhere safe: each logs in once without the app, and they are not shown again (earlier ones no longer work).</p>
        <ul class="recovery-codes" aria-label="Recovery codes">{codes.map((c) => <li key={c}><code>{c}</code></li>)}</ul>
        <div class="actions"><button type="button" class="primary" onClick={() => setCodes(null)}>I have saved them</button></div>
      </div>
    );
  } else if (started) {
    body = (
      <form class="stack" onSubmit={confirm}>
        <p>Scan this with your authenticator app, or type the secret in. Then enter the code it shows.</p>
        {started.qr && started.qr.length > 0 ? <QR rows={started.qr} label="QR code for your authenticator app" /> : null}
        <p>Secret: <code class="secret">{started.secret}</code></p>
        <Field label="Code from the app" id="tf-confirm-code" value={code} onInput={setCode} autocomplete="one-time-code" required autofocus />
        <ErrorLine error={error} />
        <div class="actions">
          <button type="button" onClick={() => { setStarted(null); setError(''); }}>Cancel</button>
          <button type="submit" class="primary" disabled={busy || !code}>{busy ? 'Working…' : 'Turn on two-factor log-in'}</button>
        </div>
      </form>
    );
  } else if (status?.enabled) {
    body = (
      <form class="stack" onSubmit={disable}>
        <p>Two-factor log-in is on; {status.recovery_codes_left} recovery codes left.</p>
        {requiring.map((o) => (
          <p key={o.name} class="callout warn">
            {o.owner
              ? `${o.name} requires two-factor log-in, of you too: stop requiring it in ${o.name}'s Settings before you turn yours off.`
              : `${o.name} requires two-factor log-in, so yours stays on while you belong to it: leave ${o.name}, or ask its owner to stop requiring it, before you turn it off.`}
          </p>
        ))}
        <Field label="Master password" id="tf-disable-pw" type="password" value={pw} onInput={setPw} autocomplete="current-password" required />
        <Field label="Code from the app (or a recovery code)" id="tf-disable-code" value={code} onInput={setCode} autocomplete="one-time-code" required />
        {note ? <p role="status">{note}</p> : null}
        <ErrorLine error={error} />
        <div class="actions">
          <button type="button" disabled={busy || !pw} onClick={newCodes} title="New recovery codes replace the old ones; the master password is enough">New recovery codes</button>
          <button type="submit" class="danger" disabled={busy || !pw || !code}>{busy ? 'Working…' : 'Turn off two-factor log-in'}</button>
        </div>
      </form>
    );
  } else if (status) {
    // Security keys alone make two-factor log-in on: the app is then
    // another way in, and the recovery codes are the keys' too.
    const keys = status.security_keys?.length ?? 0;
    body = (
      <form class="stack" onSubmit={start}>
        {keys > 0
          ? <p>Two-factor log-in is on with your security {keys === 1 ? 'key' : 'keys'}; {status.recovery_codes_left} recovery codes left. An authenticator app can be another way in.</p>
          : <p>Ask for a code from an authenticator app at every log-in, besides the master password.</p>}
        <Field label="Master password" id="tf-start-pw" type="password" value={pw} onInput={setPw} autocomplete="current-password" required />
        {note ? <p role="status">{note}</p> : null}
        <ErrorLine error={error} />
        <div class="actions">
          {keys > 0 ? <button type="button" disabled={busy || !pw} onClick={newCodes}>New recovery codes</button> : null}
          <button type="submit" class="primary" disabled={busy || !pw}>{busy ? 'Working…' : keys > 0 ? 'Set up an authenticator app' : 'Set up two-factor log-in'}</button>
        </div>
      </form>
    );
  } else {
    body = error ? <ErrorLine error={error} /> : <p class="muted">Opening…</p>;
  }
  return (
    <section class="card" aria-labelledby="tf-title">
      <h2 id="tf-title">Two-factor log-in</h2>
      {body}
    </section>
  );
}
