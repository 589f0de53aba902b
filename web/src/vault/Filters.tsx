import type { ItemType } from '../core';

// Filters: the chips that narrow the list to a kind of item (rows.ts:
// passes): every item, the favourites, and one chip a type, in the
// client core's order and words.
export function Filters(props: { value: string; types: ItemType[]; onChange: (f: string) => void }) {
  const filters: [string, string][] = [['all', 'All items'], ['favorites', 'Favourites'], ...props.types.map((t): [string, string] => [t.name, t.plural])];
  return (
    <div class="filters" role="group" aria-label="Filters">
      {filters.map(([k, label]) => (
        <button key={k} type="button" class={props.value === k ? 'chip on' : 'chip'} aria-pressed={props.value === k} onClick={() => props.onChange(k)}>{label}</button>
      ))}
    </div>
  );
}
