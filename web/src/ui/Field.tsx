import { useLayoutEffect, useRef } from 'preact/hooks';

// Field is a labelled one-line input, with its error (or hint) right
// under it and tied to it for screen readers.
export function Field(props: {
  label: string; id: string; type?: string; value: string; onInput: (v: string) => void;
  autocomplete?: string; required?: boolean; autofocus?: boolean; error?: string; hint?: string; placeholder?: string; list?: string;
  maxLength?: number; readOnly?: boolean;
}) {
  // The autofocus attribute works only when a page loads; a field that
  // appears later (an editor, the unlock form) takes the focus here, as
  // it appears, before anyone can type elsewhere.
  const ref = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => { if (props.autofocus) ref.current?.focus(); }, []);
  const note = props.error || props.hint;
  return (
    <div class={props.error ? 'field invalid' : 'field'}>
      <label for={props.id}>{props.label}</label>
      <input ref={ref} id={props.id} type={(props.type ?? 'text') as 'text'} value={props.value} required={props.required}
        autocomplete={props.autocomplete} placeholder={props.placeholder} list={props.list} maxLength={props.maxLength} readOnly={props.readOnly}
        aria-invalid={props.error ? 'true' : undefined} aria-describedby={note ? `${props.id}-note` : undefined}
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)} />
      {note ? <span id={`${props.id}-note`} class={props.error ? 'field-error' : 'hint'}>{note}</span> : null}
    </div>
  );
}
