import { Download } from 'lucide';
import { useState } from 'preact/hooks';
import { core, message, type Item } from '../core';
import { ErrorLine } from '../ui/ErrorLine';
import { Icon } from '../ui/Icon';
import { saveBytes, size } from './files';

// Attachments: upload with progress; a download is checked by the client
// core against the hash the item's signed revision names.
export function Attachments(props: { item: Item; onChanged: () => void; setNote: (s: string) => void; readOnly?: boolean }) {
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState('');
  const files = props.item.content.files ?? [];
  const upload = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setError('');
    setProgress(0);
    try {
      await core.attach(props.item.id, '', file.name, new Uint8Array(await file.arrayBuffer()), (sent, total) => setProgress(total ? sent / total : 1));
      props.onChanged();
    } catch (err) {
      setError(message(err));
    } finally {
      setProgress(null);
      input.value = '';
    }
  };
  if (props.readOnly && files.length === 0) return null; // nothing to show, nothing to do
  return (
    <div class="attachments">
      <h3>Attachments</h3>
      {files.length === 0 ? <p class="muted">None.</p> : (
        <ul class="files">
          {files.map((f) => (
            <li key={f.id}>
              <span>{f.name} <span class="muted">({size(f.size)})</span></span>
              <button type="button" class="small" aria-label={`Download ${f.name}`} onClick={async () => {
                try { saveBytes(f.name, await core.download(props.item.id, f.id)); props.setNote(`Downloaded ${f.name}; its hash checked out.`); } catch (err) { setError(message(err)); }
              }}><Icon icon={Download} size={14} /> Download</button>
            </li>
          ))}
        </ul>
      )}
      {props.readOnly ? null : <label class="upload button small">Attach a file<input type="file" onChange={upload} disabled={progress !== null} /></label>}
      {progress !== null ? <progress max={1} value={progress} aria-label="Upload progress" /> : null}
      <ErrorLine error={error} />
    </div>
  );
}
