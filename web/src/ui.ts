import { h } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

// Small pieces every screen uses. Everything is rendered as text by
// Preact; nothing here sets HTML.

export function Field(props: { label: string; id: string; type?: string; value: string; onInput: (v: string) => void; autocomplete?: string; required?: boolean; autofocus?: boolean }) {
  // The autofocus attribute works only when a page loads; a field that
  // appears later (an editor, the unlock form) takes the focus here.
  const ref = useRef<HTMLInputElement>(null);
  // A layout effect: the focus moves as the field appears, before anyone
  // can type elsewhere.
  useLayoutEffect(() => { if (props.autofocus) ref.current?.focus(); }, []);
  return h('div', { class: 'field' },
    h('label', { for: props.id }, props.label),
    h('input', {
      ref, id: props.id, type: props.type ?? 'text', value: props.value, required: props.required,
      autocomplete: props.autocomplete, onInput: (e: Event) => props.onInput((e.target as HTMLInputElement).value),
    }));
}

export function ErrorLine(props: { error: string }) {
  return props.error ? h('p', { class: 'error', role: 'alert' }, props.error) : null;
}

// copy puts a value on the clipboard and clears it after 30 s.
export async function copy(value: string, setNote: (s: string) => void) {
  try {
    await navigator.clipboard.writeText(value);
    setNote('Copied; the clipboard is cleared in 30 s.');
    setTimeout(() => { void navigator.clipboard.writeText('').catch(() => undefined); setNote(''); }, 30000);
  } catch {
    setNote('This browser did not allow copying.');
  }
}

