import { useState } from 'preact/hooks';
import { core, message, type OrgDetail } from '../core';
import { useApp } from '../shell/AppState';
import { ErrorLine } from '../ui/ErrorLine';
import { useAction } from '../ui/useAction';

// Transfer is ownership transfer in Settings: the owner offers the
// organisation to a confirmed member (or withdraws the open offer); the
// member offered it sees who offers it and accepts. What a transfer
// changes is the core's note; the roles on the page follow the next
// change (the live stream), on both sides.
export function Transfer(props: { detail: OrgDetail; reload: () => void }) {
  const app = useApp();
  const o = props.detail.org;
  const [to, setTo] = useState('');
  const { note, error, setNote, setError, act } = useAction(props.reload);
  const accept = async () => {
    setError(''); setNote('');
    try { setNote((await core.acceptOwnership(o.id)).message); } catch (e) { setError(message(e)); }
    props.reload();
  };
  const others = props.detail.members.filter((m) => m.state === 'confirmed' && !m.me).map((m) => m.email);
  if (o.can_accept_ownership) {
    return (
      <section class="card offer" aria-labelledby="offer-title" role="region">
        <h2 id="offer-title">{o.owner_email} offers you ownership of {o.name}</h2>
        {o.offered_at ? <p class="muted">Offered {new Date(o.offered_at).toLocaleString()}.</p> : null}
        <p>{o.transfer_note}</p>
        <ErrorLine error={error} />
        {note ? <p role="status" class="note">{note}</p> : null}
        <p><button type="button" class="primary" onClick={() => void accept()}>Accept ownership of {o.name}</button></p>
      </section>
    );
  }
  if (!o.can_transfer) return note ? <p role="status" class="note">{note}</p> : null;
  return (
    <section class="card" aria-labelledby="transfer-title">
      <h2 id="transfer-title">Transfer ownership</h2>
      {o.offered_to ? (
        <p role="status">Offered to <strong>{o.offered_to}</strong>{o.offered_at ? ` on ${new Date(o.offered_at).toLocaleString()}` : ''}: they become the owner when they accept.</p>
      ) : null}
      <p class="muted">{o.transfer_note}</p>
      {note ? <p role="status" class="note">{note}</p> : null}
      <ErrorLine error={error} />
      {others.length === 0 ? <p class="muted">Only a confirmed member can be offered the organisation: there is none besides you ({app.status.email}).</p> : (
        <form class="inline-form" onSubmit={(e) => { e.preventDefault(); const email = to || others[0]; act(() => core.offerOwnership(o.id, email), `${o.name} is offered to ${email}.`); }}>
          <label>Offer to <select value={to || others[0]} onChange={(e) => setTo((e.target as HTMLSelectElement).value)}>
            {others.map((m) => <option key={m} value={m}>{m}</option>)}
          </select></label>
          <button type="submit" class="primary">{o.offered_to ? 'Offer instead' : 'Offer ownership'}</button>
        </form>
      )}
      {o.offered_to ? <p><button type="button" onClick={() => act(() => core.withdrawOwnership(o.id), 'The offer is withdrawn.')}>Withdraw the offer</button></p> : null}
    </section>
  );
}
