import { useState } from 'preact/hooks';
import { core, type Org } from '../core';
import { ConfirmDialog } from '../ui/ConfirmDialog';

// TwoFactorPolicy is the organisation's two-factor requirement in
// Settings (docs/protocol.md §8.3): every member sees whether it is on;
// the owner changes it through a dialog that says what it does (the
// core's words: org.two_factor_note). The server refuses anyone else.
export function TwoFactorPolicy(props: { org: Org; changed: (note: string) => void }) {
  const o = props.org;
  const [asking, setAsking] = useState(false);
  const on = o.require_two_factor;
  return (
    <section class="card" aria-labelledby="two-factor-policy-title">
      <h2 id="two-factor-policy-title">Two-factor log-in</h2>
      <p>{on ? 'Required: every member logs in with two-factor log-in.' : 'Not required.'}</p>
      {o.can_set_two_factor_policy ? (
        <>
          {/* The box only asks: the dialog changes the requirement. */}
          <label class="export-policy">
            <input type="checkbox" aria-label="Require two-factor log-in" checked={on} onClick={(e) => { e.preventDefault(); setAsking(true); }} />
            Require two-factor log-in
          </label>
          {o.two_factor_note ? <p class="muted">{o.two_factor_note}</p> : null}
        </>
      ) : null}
      {asking ? (on ? (
        <ConfirmDialog title="Stop requiring two-factor log-in?" action="Stop requiring two-factor log-in" onClose={() => setAsking(false)}
          text={`Anyone can be confirmed into ${o.name} again, and members may turn their two-factor log-in off. The change is in the audit log.`}
          onConfirm={async () => { await core.setTwoFactorPolicy(o.id, false); props.changed('Two-factor log-in is no longer required.'); }} />
      ) : (
        <ConfirmDialog title={`Require two-factor log-in in ${o.name}?`} action="Require two-factor log-in" onClose={() => setAsking(false)}
          text={`${o.two_factor_note ?? ''} The change is in the audit log.`}
          onConfirm={async () => { await core.setTwoFactorPolicy(o.id, true); props.changed('Two-factor log-in is now required of every member.'); }} />
      )) : null}
    </section>
  );
}
