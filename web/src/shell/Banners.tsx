import type { Notice } from '../core';
import { NoticeBanner } from './NoticeBanner';

// Banners are what the whole app must say above any screen: notices of
// the account, tampering found, the server gone, live updates stopped.
export function Banners(props: { notices: Notice[]; onRead: (id: string) => void; quarantined: string[]; offline: boolean; live: string }) {
  return (
    <>
      {props.notices.map((n) => <NoticeBanner key={n.id} notice={n} onRead={() => props.onRead(n.id)} />)}
      {props.live ? <p class={props.live.startsWith('Tampering') ? 'error banner tamper' : 'error banner'} role="alert">{props.live}</p> : null}
      {props.quarantined.map((q) => <p key={q} class="error banner tamper" role="alert">Tampering detected — not shown: {q}</p>)}
      {props.offline ? <p class="banner offline" role="status">The server cannot be reached; retrying every 2 seconds. Nothing is lost.</p> : null}
    </>
  );
}
