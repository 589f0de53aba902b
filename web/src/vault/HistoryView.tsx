import { useEffect, useState } from 'preact/hooks';
import { core, message, type Value, type Version } from '../core';
import { useApp } from '../shell/AppState';
import { copy } from '../ui/copy';
import { ErrorLine } from '../ui/ErrorLine';

function describe(v: Version): string {
  const c = v.change;
  if (!c) return '';
  if (c.op === 'rollback') return `rolled back to revision ${c.revision}`;
  if (c.op === 'restore-field') return `${c.field} restored from revision ${c.revision}`;
  if (c.op === 'move') return `moved here from ${v.from_vault ?? 'another vault'}`;
  return c.op;
}

// HistoryView lists an item's revisions, newest first, each with what
// changed (old → new); an old value can be copied or restored, and the
// item rolled back to a revision.
export function HistoryView(props: { id: string; onClose: () => void }) {
  const app = useApp();
  const [versions, setVersions] = useState<Version[] | null>(null);
  const [reveal, setReveal] = useState(false);
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const [readOnly, setReadOnly] = useState(true); // until the item says otherwise
  useEffect(() => {
    core.history(props.id).then(setVersions, (e) => setError(message(e)));
    core.get(props.id).then((it) => setReadOnly(it.permission === 'view'), () => undefined);
  }, [props.id, app.tick]);
  if (error && !versions) return <ErrorLine error={error} />;
  if (!versions) return <p class="muted pad">Opening the history…</p>;
  const act = async (p: Promise<unknown>) => { try { await p; app.changed(); } catch (e) { setError(message(e)); } };
  const show = (v: Value | undefined) => (!v ? '—' : v.secret && !reveal ? '••••••••' : v.value);
  return (
    <section class="history" aria-labelledby="history-title">
      <header class="item-head"><h2 id="history-title">History</h2><button type="button" class="link close" onClick={props.onClose}>Close</button></header>
      <button type="button" onClick={() => setReveal(!reveal)} aria-pressed={reveal}>{reveal ? 'Hide secrets' : 'Reveal secrets'}</button>
      {note ? <p class="muted" role="status">{note}</p> : null}
      <ErrorLine error={error} />
      <ol class="revisions" reversed>
        {[...versions].reverse().map((v) => {
          const prev = versions[v.revision - 2];
          const names = new Set([...v.values.map((x) => x.name), ...(prev?.values ?? []).map((x) => x.name)]);
          const changed = [...names].sort().filter((n) => prev && (prev.values.find((x) => x.name === n)?.value ?? '') !== (v.values.find((x) => x.name === n)?.value ?? ''));
          return (
            <li key={v.revision} class="revision" data-revision={String(v.revision)}>
              <div class="rev-head"><strong>Revision {v.revision}</strong><span class="muted"> · {v.author} · {new Date(v.time).toLocaleString()}</span>
                {describe(v) ? <em> ({describe(v)})</em> : null}</div>
              <ul class="changes">
                {changed.map((n) => {
                  const old = prev!.values.find((x) => x.name === n);
                  const cur = v.values.find((x) => x.name === n);
                  return (
                    <li key={n}><span class="fname">{n}</span>: <span class="old">{show(old)}</span> → <span>{show(cur)}</span>
                      {old ? <button type="button" class="small" aria-label={`Copy the old ${n} (revision ${v.revision - 1})`} onClick={() => copy(old.value, setNote)}>Copy old value</button> : null}
                      {readOnly ? null : <button type="button" class="small" onClick={() => act(core.restoreField(props.id, n, v.revision - 1))}>Restore {n} from revision {v.revision - 1}</button>}
                    </li>
                  );
                })}
              </ul>
              {v.revision < versions.length && !readOnly ? <button type="button" class="small" onClick={() => act(core.rollback(props.id, v.revision))}>Roll back to revision {v.revision}</button> : null}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
