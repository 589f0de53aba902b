import type { Summary } from '../core';

const filters: [string, string][] = [['all', 'All items'], ['favorites', 'Favourites'], ['login', 'Logins'], ['note', 'Notes'], ['secret', 'API secrets'], ['card', 'Cards'], ['file', 'Files']];

// matches tells whether an item passes a filter chip.
export function matches(it: Summary, filter: string): boolean {
  return filter === 'all' || (filter === 'favorites' ? !!it.favorite : it.type === filter);
}

// Filters: the chips that narrow the list to a kind of item.
export function Filters(props: { value: string; onChange: (f: string) => void }) {
  return (
    <div class="filters" role="group" aria-label="Filters">
      {filters.map(([k, label]) => (
        <button key={k} type="button" class={props.value === k ? 'chip on' : 'chip'} aria-pressed={props.value === k} onClick={() => props.onChange(k)}>{label}</button>
      ))}
    </div>
  );
}
