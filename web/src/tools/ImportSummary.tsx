import type { ImportReport } from '../core';

// ImportSummary says what an import created — or, for a preview, would
// create: the counts per type (the core's labels), attachments, entries
// like items already in the vault, and every entry left out with why.
export function ImportSummary(props: { report: ImportReport }) {
  const r = props.report;
  const verb = r.dry_run ? 'Will create' : 'Created';
  return (
    <div class="import-summary">
      <p role="status">
        <strong>{verb} {r.items.toLocaleString()} item{r.items === 1 ? '' : 's'}</strong> in {r.vault.label}
        {r.files ? ` with ${r.files.toLocaleString()} attachment${r.files === 1 ? '' : 's'}` : ''}.
      </p>
      {r.counts.length ? (
        <ul class="type-counts" aria-label="Items by type">
          {r.counts.map((c) => <li key={c.type}><strong>{c.count.toLocaleString()}</strong> {c.label}</li>)}
        </ul>
      ) : null}
      {r.duplicates ? (
        <p class="callout" role="note">
          {r.duplicates.toLocaleString()} of them look like items already in {r.vault.label} (same type, name, user name and first address){r.dry_run ? ': they will be imported again.' : ': they were imported again.'}
        </p>
      ) : null}
      {r.skipped.length ? (
        <details class="skipped" open={r.skipped.length <= 20}>
          <summary>{r.skipped.length.toLocaleString()} entr{r.skipped.length === 1 ? 'y' : 'ies'} {r.dry_run ? 'will be' : 'were'} left out</summary>
          <ul>
            {r.skipped.map((s, i) => <li key={i}><strong>{s.entry}</strong>: {s.reason}</li>)}
          </ul>
        </details>
      ) : null}
    </div>
  );
}
