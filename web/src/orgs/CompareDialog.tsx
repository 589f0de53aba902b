import type { Member } from '../core';
import { Dialog } from '../ui/Dialog';

// CompareDialog puts two fingerprints side by side, with words that say
// how to compare them — before confirming someone, and any time after.
export function CompareDialog(props: { mine: string; member: Member; owner: boolean; onClose: () => void }) {
  const m = props.member;
  return (
    <Dialog title={`Compare fingerprints with ${m.email}`} onClose={props.onClose}>
      <div class="compare" role="region" aria-label={`Fingerprints of you and ${m.email}`}>
        <div><strong>Yours</strong><code>{props.mine}</code></div>
        <div><strong>{m.email}</strong><code>{m.fingerprint ?? ''}</code></div>
      </div>
      <p class="muted">Ask {m.email} to read their own fingerprint aloud (Account → Profile, or coffer fingerprint) — in person or on a call, not in this app. Every group must match the one shown here for them. If one differs, do not {m.state === 'joined' ? 'confirm them: cancel the invitation and invite them again' : `share anything with them${props.owner ? ', and remove them from the organisation' : ' and tell the organisation\'s owner'}`}.</p>
      <div class="actions end"><button type="button" class="primary" onClick={props.onClose}>Done</button></div>
    </Dialog>
  );
}
