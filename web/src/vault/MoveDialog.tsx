import { useState } from 'preact/hooks';
import { core, message, type Item } from '../core';
import { Dialog } from '../ui/Dialog';
import { ErrorLine } from '../ui/ErrorLine';

// MoveDialog moves an item into another vault — one of the targets the
// client core offers for it (the vaults this account may move it to); its
// history goes along, and who can open it changes with the vault.
export function MoveDialog(props: { item: Item; onClose: () => void; onDone: (note: string) => void }) {
  const it = props.item;
  const targets = it.move_targets;
  const [to, setTo] = useState(targets[0]?.id ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const target = targets.find((v) => v.id === to);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!target) return;
    setBusy(true); setError('');
    try {
      const r = await core.move(it.id, target.id);
      props.onDone(`Moved to ${r.vault}; its history went along.`);
    } catch (err) { setError(message(err)); } finally { setBusy(false); }
  };
  return (
    <Dialog title={`Move ${it.content.name}`} onClose={props.onClose}>
      {targets.length === 0 ? (
        <><p>There is no other vault you can move this item to.</p><div class="actions end"><button type="button" onClick={props.onClose}>Close</button></div></>
      ) : (
        <form class="stack" onSubmit={submit}>
          <p class="muted">Now in {it.vault}. Whoever can open the vault you choose can open it there; those who could open it only through {it.vault} no longer can.</p>
          <div class="field"><label for="move-vault">Move to</label>
            <select id="move-vault" value={to} onChange={(e) => setTo((e.target as HTMLSelectElement).value)}>
              {targets.map((v) => <option key={v.id} value={v.id}>{v.label}</option>)}
            </select></div>
          <ErrorLine error={error} />
          <div class="actions end">
            <button type="button" onClick={props.onClose}>Cancel</button>
            <button type="submit" class="primary" disabled={busy}>{busy ? 'Moving…' : `Move to ${target?.label ?? ''}`}</button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
