const filters: [string, string][] = [['all', 'All items'], ['favorites', 'Favourites'], ['login', 'Logins'], ['note', 'Notes'], ['secret', 'API secrets'], ['card', 'Cards'], ['file', 'Files']];

// Filters: the chips that narrow the list to a kind of item (rows.ts:
// passes).
export function Filters(props: { value: string; onChange: (f: string) => void }) {
  return (
    <div class="filters" role="group" aria-label="Filters">
      {filters.map(([k, label]) => (
        <button key={k} type="button" class={props.value === k ? 'chip on' : 'chip'} aria-pressed={props.value === k} onClick={() => props.onChange(k)}>{label}</button>
      ))}
    </div>
  );
}
