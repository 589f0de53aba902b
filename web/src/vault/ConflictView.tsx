import { useState } from 'preact/hooks';
import { core, message, type Content, type Item } from '../core';
import { ErrorLine } from '../ui/ErrorLine';

// flat is what a person compares of two versions (secrets as bullets).
function flat(c: Content): [string, string][] {
  return ([
    ['Name', c.name], ['Username', c.login?.username], ['Password', c.login?.password ? '••••••••' : ''], ['URLs', (c.login?.urls ?? []).join(', ')],
    ['Notes', c.notes], ['Tags', (c.tags ?? []).join(', ')], ...Object.keys(c.secret ?? {}).map((k) => [k, '••••••••']),
  ] as [string, string | undefined][]).filter(([, v]) => v) as [string, string][];
}

// ConflictView: someone else saved the item while it was being edited.
// Both versions side by side; whichever is kept, the other stays in the
// history.
export function ConflictView(props: { base: number; theirs: Item; mine: Content; onDone: (id: string) => void }) {
  const [error, setError] = useState('');
  const t = props.theirs;
  const table = (title: string, c: Content) => (
    <div class="side"><h3>{title}</h3>
      <dl>{flat(c).map(([k, v]) => <div class="row" key={k}><dt>{k}</dt><dd>{v}</dd></div>)}</dl></div>
  );
  return (
    <section class="conflict" role="alertdialog" aria-labelledby="conflict-title">
      <h2 id="conflict-title">Someone else saved first</h2>
      <p>{t.content.name} is at revision {t.revision} now; you edited revision {props.base}. Choose which to keep — the other stays in the history.</p>
      <div class="sides">{table(`Theirs (revision ${t.revision})`, t.content)}{table('Yours', props.mine)}</div>
      <ErrorLine error={error} />
      <div class="actions wrap">
        <button type="button" onClick={() => props.onDone(t.id)}>Keep theirs</button>
        <button type="button" class="primary" onClick={async () => {
          try { await core.update(t.id, props.mine, t.revision); props.onDone(t.id); } catch (err) { setError(message(err)); }
        }}>Save mine over theirs</button>
      </div>
    </section>
  );
}
