// ColumnMapping maps a CSV file's columns to the fields Coffer fills (the
// core's list): each field takes one column or none.
export function ColumnMapping(props: { fields: { name: string; label: string }[]; columns: string[]; mapping: Record<string, string>; onChange: (m: Record<string, string>) => void }) {
  return (
    <fieldset class="mapping">
      <legend>Which column holds what</legend>
      <p class="hint">Coffer does not know this file's columns. Pick the column for each field; a field left at "—" stays empty.</p>
      <div class="mapping-grid">
        {props.fields.map((f) => (
          <div key={f.name} class="mapping-pair">
            <label for={`map-${f.name}`} class="mapping-field">{f.label}</label>
            <select id={`map-${f.name}`} value={props.mapping[f.name] ?? ''} onChange={(e) => {
              const col = (e.target as HTMLSelectElement).value;
              const next = { ...props.mapping };
              if (col) next[f.name] = col; else delete next[f.name];
              props.onChange(next);
            }}>
              <option value="">—</option>
              {props.columns.map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
          </div>
        ))}
      </div>
    </fieldset>
  );
}
