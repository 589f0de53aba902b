import { useEffect, useState } from 'preact/hooks';
import { core, message, type Change, type Version } from '../core';
import { useApp } from '../shell/AppState';
import { copy } from '../ui/copy';
import { ErrorLine } from '../ui/ErrorLine';

// HistoryView lists an item's revisions, newest first, each with what
// changed (old → new) and what the revision was (rolled back, moved …),
// in the client core's words; an old value can be copied or restored, and
// the item rolled back to a revision, where the core says this account
// may.
export function HistoryView(props: { id: string; onClose: () => void }) {
  const app = useApp();
  const [versions, setVersions] = useState<Version[] | null>(null);
  const [reveal, setReveal] = useState(false);
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  useEffect(() => { core.history(props.id).then(setVersions, (e) => setError(message(e))); }, [props.id, app.tick]);
  if (error && !versions) return <ErrorLine error={error} />;
  if (!versions) return <p class="muted pad">Opening the history…</p>;
  const act = async (p: Promise<unknown>) => { try { await p; app.changed(); } catch (e) { setError(message(e)); } };
  const show = (c: Change, v: string) => (!v ? '—' : c.secret && !reveal ? '••••••••' : v);
  return (
    <section class="history" aria-labelledby="history-title">
      <header class="item-head"><h2 id="history-title">History</h2><button type="button" class="link close" onClick={props.onClose}>Close</button></header>
      <button type="button" onClick={() => setReveal(!reveal)} aria-pressed={reveal}>{reveal ? 'Hide secrets' : 'Reveal secrets'}</button>
      {note ? <p class="muted" role="status">{note}</p> : null}
      <ErrorLine error={error} />
      <ol class="revisions" reversed>
        {[...versions].reverse().map((v) => (
          <li key={v.revision} class="revision" data-revision={String(v.revision)}>
            <div class="rev-head"><strong>Revision {v.revision}</strong><span class="muted"> · {v.author} · {new Date(v.time).toLocaleString()}</span>
              {v.what ? <em> ({v.what})</em> : null}</div>
            <ul class="changes">
              {v.changes.filter(() => v.revision > 1).map((c) => (
                <li key={c.field}><span class="fname">{c.label}</span>: <span class="old">{show(c, c.old)}</span> → <span>{show(c, c.new)}</span>
                  {c.old ? <button type="button" class="small" aria-label={`Copy the old ${c.label} (revision ${v.revision - 1})`} onClick={() => copy(c.old, setNote)}>Copy old value</button> : null}
                  {c.restorable ? <button type="button" class="small" onClick={() => act(core.restoreField(props.id, c.field, v.revision - 1))}>Restore {c.label} from revision {v.revision - 1}</button> : null}
                </li>
              ))}
            </ul>
            {v.can_roll_back ? <button type="button" class="small" onClick={() => act(core.rollback(props.id, v.revision))}>Roll back to revision {v.revision}</button> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
