import { useEffect, useState } from 'preact/hooks';
import { core, message } from '../core';
import type { SSOInfo } from '../core/types.gen';
import { ErrorLine } from '../ui/ErrorLine';


// SSOButton is the log-in page's other way in: the company's single
// sign-on, when the server has one ("Log in with Acme ID"). It proves who
// someone is; the master password still unlocks (the page says so).
export function SSOButton() {
  const [info, setInfo] = useState<SSOInfo | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => { core.ssoInfo().then(setInfo, () => setInfo(null)); }, []);
  if (!info?.enabled) return null;
  const go = async () => {
    setBusy(true); setError('');
    try {
      const { url } = await core.ssoStart();
      location.assign(url);
    } catch (err) {
      setError(message(err));
      setBusy(false);
    }
  };
  return (
    <section class="card sso" aria-labelledby="sso-title">
      <h2 id="sso-title">Company account</h2>
      <button type="button" class="primary" onClick={() => void go()} disabled={busy}>{busy ? 'Opening…' : `Log in with ${info.name}`}</button>
      <p class="muted">{info.name} proves who you are. Your master password still unlocks your vault: neither {info.name} nor this server ever sees it.
        {info.domains?.length ? ` People at ${info.domains.join(', ')} log in this way.` : ''}</p>
      <ErrorLine error={error} />
    </section>
  );
}
