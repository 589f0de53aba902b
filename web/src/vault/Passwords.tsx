import { ArrowLeft, Plus } from 'lucide';
import { useEffect, useLayoutEffect, useMemo, useState } from 'preact/hooks';
import { core, message, type Rows } from '../core';
import { useApp } from '../shell/AppState';
import { Link } from '../shell/Link';
import { navigate } from '../shell/router';
import { href, type Route } from '../shell/routes';
import { EmptyState } from '../ui/EmptyState';
import { ErrorLine } from '../ui/ErrorLine';
import { Icon } from '../ui/Icon';
import { Editor } from './Editor';
import { Filters } from './Filters';
import { HistoryView } from './HistoryView';
import { ItemList } from './ItemList';
import { ItemView } from './ItemView';
import { every, expand, filtered } from './rows';
import { Trash } from './Trash';
import { VaultsPane } from './VaultsPane';

type PasswordsRoute = Extract<Route, { screen: 'vault' | 'new' | 'trash' }>;

// Passwords is the vault screen: vaults · list · item on a desktop, the
// list and the item on a tablet, one at a time on a phone (the item with
// a way back). The address says which vault and which item.
export function Passwords(props: { route: PasswordsRoute; query: string }) {
  const app = useApp();
  const r = props.route;
  const vault = r.screen === 'trash' ? '' : r.vault;
  const item = r.screen === 'vault' ? r.item : '';
  // The list, once per vault and change (core.rows); a search asks the
  // core which of it match (core.find: positions, a few numbers), so a
  // keystroke never carries the list. A search's answer is shown with
  // the rows it indexes; until it comes, what was shown stays (busy).
  const [rows, setRows] = useState<Rows | null>(null);
  const [found, setFound] = useState<{ rows: Rows; query: string; shown: number[] } | null>(null);
  const [filter, setFilter] = useState('all');
  const [error, setError] = useState('');
  const [again, setAgain] = useState(0);
  useEffect(() => {
    let live = true;
    core.rows(vault).then((r) => { if (live) { setRows(r); setError(''); } }, (e) => live && setError(message(e)));
    return () => { live = false; };
  }, [vault, app.tick, again]);
  useLayoutEffect(() => {
    if (!rows || !props.query) return;
    let live = true;
    const query = props.query;
    core.find(query).then((f) => {
      if (!live) return;
      if (f.version === rows.version) setFound({ rows, query, shown: expand(f.ranges) });
      else setAgain((n) => n + 1); // the core answered for a list asked after this one: ask for it too
    }, (e) => live && setError(message(e)));
    return () => { live = false; };
  }, [props.query, rows]);
  const all = useMemo(() => (rows ? every(rows) : []), [rows]);
  const view = !props.query || !found ? (rows ? { rows, shown: all } : null) : found;
  const busy = !!props.query && (found?.query !== props.query || found.rows !== rows);
  const shown = useMemo(() => (view ? filtered(view.rows, view.shown, filter) : []), [view?.rows, view?.shown, filter]);
  const listOf = (v = vault) => href({ screen: 'vault', vault: v, item: '', mode: 'view' });
  const itemOf = (id: string, mode: 'view' | 'edit' | 'history' = 'view') => href({ screen: 'vault', vault, item: id, mode });
  const vaultName = vault ? app.vaults.find((v) => v.id === vault)?.label ?? 'Vault' : 'All vaults';
  const detailOpen = r.screen === 'new' || item !== '';
  let detail;
  if (r.screen === 'new') {
    detail = <Editor vault={vault} onDone={(id) => { app.changed(); navigate(itemOf(id)); }} onCancel={() => navigate(listOf())} />;
  } else if (item && r.screen === 'vault') {
    if (r.mode === 'edit') detail = <Editor key={item} id={item} onDone={(id) => { app.changed(); navigate(itemOf(id), { replace: true }); }} onCancel={() => navigate(itemOf(item), { replace: true })} />;
    else if (r.mode === 'history') detail = <HistoryView key={item} id={item} onClose={() => navigate(itemOf(item))} />;
    else detail = <ItemView key={item} id={item} onClose={() => navigate(listOf())} onEdit={() => navigate(itemOf(item, 'edit'))} onHistory={() => navigate(itemOf(item, 'history'))} onGone={() => navigate(listOf(), { replace: true })} />;
  } else {
    detail = rows && rows.id.length === 0 && !props.query
      ? <EmptyState title={vault ? `Nothing in ${vaultName} yet` : 'Your vault is empty'} text="Add a login, a note, an API secret, a card or a file: it is encrypted on this device before it leaves it."><Link href={href({ screen: 'new', vault })} class="button primary">New item</Link></EmptyState>
      : <EmptyState title="Choose an item" text="Pick an item from the list to see it, or add one with New item." />;
  }
  return (
    <div class={`passwords${detailOpen ? ' detail-open' : ''}${r.screen === 'trash' ? ' trash-open' : ''}`}>
      <VaultsPane vaults={app.vaults} current={vault} trash={r.screen === 'trash'} />
      {r.screen === 'trash' ? <Trash /> : (
        <section class="list-pane" aria-labelledby="list-title">
          <div class="list-head">
            <h2 id="list-title">{vaultName}</h2>
            <span class="muted count" role="status">{view ? `${shown.length.toLocaleString()} item${shown.length === 1 ? '' : 's'}` : 'Opening…'}</span>
            <Link href={href({ screen: 'new', vault })} class="button primary"><Icon icon={Plus} /> New item</Link>
          </div>
          <Filters value={filter} types={app.types} onChange={setFilter} />
          <ErrorLine error={error} />
          {view && !busy && shown.length === 0 ? <p class="muted pad">{props.query || filter !== 'all' ? 'Nothing matches.' : `No items in ${vault ? vaultName : 'your vaults'} yet.`}</p> : null}
          {view ? <ItemList rows={view.rows} shown={shown} vault={vault} selected={item} busy={busy} types={app.types} /> : null}
        </section>
      )}
      {r.screen === 'trash' ? null : (
        <section class="detail-pane" aria-label="Item">
          {detailOpen ? <Link href={listOf()} class="back"><Icon icon={ArrowLeft} /> Back to {vaultName}</Link> : null}
          {detail}
        </section>
      )}
    </div>
  );
}
