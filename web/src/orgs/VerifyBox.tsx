import { useState } from 'preact/hooks';
import { core, message } from '../core';
import { ErrorLine } from '../ui/ErrorLine';
import { Field } from '../ui/Field';

// VerifyBox proves this account's e-mail address, which a server that
// sends mail wants before inviting or joining.
export function VerifyBox(props: { onDone: () => void }) {
  const [sent, setSent] = useState(false);
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  return (
    <div class="stack verify">
      <p>This server wants your e-mail address proven before you invite or join.</p>
      <button type="button" onClick={() => { setError(''); core.requestVerification().then(() => setSent(true), (e) => setError(message(e))); }}>{sent ? 'Send another code' : 'Send me a code'}</button>
      {sent ? <Field label="Code from the e-mail" id="verify-code" value={code} onInput={setCode} autocomplete="one-time-code" /> : null}
      {sent ? <button type="button" class="primary" onClick={() => { setError(''); core.verifyEmail(code.trim()).then(props.onDone, (e) => setError(message(e))); }}>Verify</button> : null}
      <ErrorLine error={error} />
    </div>
  );
}
