import { useState } from 'preact/hooks';
import { core, message, type Notice } from '../core';
import { ErrorLine } from '../ui/ErrorLine';

// NoticeBanner shows one notice of the account (a recovery through an
// organisation) at the log-in or unlock that found it, in the client
// core's words, until the account acknowledges it.
export function NoticeBanner(props: { notice: Notice; onRead: () => void }) {
  const [error, setError] = useState('');
  const n = props.notice;
  return (
    <section class="banner notice" role="alert" aria-labelledby={`notice-${n.id}`}>
      <h2 id={`notice-${n.id}`}>{n.title}</h2>
      <p>{n.text}</p>
      <p>{n.advice}</p>
      <ErrorLine error={error} />
      <button type="button" onClick={async () => { try { await core.ackNotice(n.id); props.onRead(); } catch (e) { setError(message(e)); } }}>I have read this</button>
    </section>
  );
}
