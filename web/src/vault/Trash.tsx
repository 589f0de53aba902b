import { useEffect, useState } from 'preact/hooks';
import { core, message, type Summary } from '../core';
import { useApp } from '../shell/AppState';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { EmptyState } from '../ui/EmptyState';
import { ErrorLine } from '../ui/ErrorLine';

// Trash: items moved to the trash, each restorable or deleted for good
// (after a dialog that says it cannot be undone).
export function Trash() {
  const app = useApp();
  const [items, setItems] = useState<Summary[] | null>(null);
  const [error, setError] = useState('');
  const [purging, setPurging] = useState<Summary | null>(null);
  useEffect(() => { core.trashed().then(setItems, (e) => setError(message(e))); }, [app.tick]);
  const act = async (p: Promise<unknown>) => { try { await p; app.changed(); } catch (e) { setError(message(e)); } };
  return (
    <section class="trash-pane" aria-labelledby="trash-title">
      <h2 id="trash-title">Trash</h2>
      <ErrorLine error={error} />
      {!items ? <p class="muted">Opening…</p> : items.length === 0 ? <EmptyState title="The trash is empty" text="Items you move to the trash wait here until you restore them or delete them for good." /> : (
        <ul class="rows">
          {items.map((it) => (
            <li key={it.id} class="row-line">
              <span class="name">{it.name}<span class="muted"> · {it.vault}</span></span>
              <span class="row-actions">
                <button type="button" class="small" aria-label={`Restore ${it.name}`} onClick={() => act(core.restore(it.id))}>Restore</button>
                <button type="button" class="small danger" onClick={() => setPurging(it)} aria-label={`Delete ${it.name} for good`}>Delete for good</button>
              </span>
            </li>
          ))}
        </ul>
      )}
      {purging ? <ConfirmDialog title={`Delete ${purging.name} for good?`} text="It and all its history are deleted from the server. This cannot be undone." action={`Delete ${purging.name} for good`} danger
        onConfirm={async () => { await core.purge(purging.id); app.changed(); }} onClose={() => setPurging(null)} /> : null}
    </section>
  );
}
