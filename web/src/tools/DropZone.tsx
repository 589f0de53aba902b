import { useState } from 'preact/hooks';
import { FileUp } from 'lucide';
import { Icon } from '../ui/Icon';

// DropZone takes one file, chosen with the file picker or dropped on it.
export function DropZone(props: { onFile: (f: File) => void; hint: string; disabled?: boolean; chosen?: string }) {
  const [over, setOver] = useState(false);
  const take = (files: FileList | null | undefined) => {
    const f = files?.[0];
    if (f && !props.disabled) props.onFile(f);
  };
  return (
    <label class={over ? 'dropzone over' : 'dropzone'}
      onDragOver={(e) => { e.preventDefault(); setOver(true); }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => { e.preventDefault(); setOver(false); take(e.dataTransfer?.files); }}>
      <Icon icon={FileUp} />
      <span><strong>Choose a file</strong> or drop it here</span>
      {props.chosen ? <span class="muted">{props.chosen}</span> : <span class="hint">{props.hint}</span>}
      <input type="file" class="sr-only" disabled={props.disabled}
        onChange={(e) => { const input = e.target as HTMLInputElement; take(input.files); input.value = ''; }} />
    </label>
  );
}
