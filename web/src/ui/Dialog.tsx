import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

// Dialog is a modal dialog: the browser's own <dialog> shown modal, so
// the rest of the page is inert (focus stays inside) and Escape closes
// it — unless sticky, for a dialog that must not be lost (a code shown
// once): Escape then calls onClose (to say why it stays), and a second
// Escape, which browsers let close any dialog, opens it again. The focus
// goes back where it was when it closes.
export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren; sticky?: boolean; describedBy?: string; class?: string; role?: 'dialog' | 'alertdialog' }) {
  const ref = useRef<HTMLDialogElement>(null);
  const close = useRef(props.onClose);
  close.current = props.onClose;
  useEffect(() => {
    const d = ref.current!;
    const before = document.activeElement as HTMLElement | null;
    let leaving = false;
    if (!d.open) d.showModal?.();
    const cancel = (e: Event) => { e.preventDefault(); close.current(); };
    const closed = () => { if (props.sticky && !leaving) { d.showModal?.(); close.current(); } };
    d.addEventListener('cancel', cancel);
    d.addEventListener('close', closed);
    return () => {
      leaving = true;
      d.removeEventListener('cancel', cancel);
      d.removeEventListener('close', closed);
      if (d.open) d.close?.();
      before?.focus?.();
    };
  }, []);
  const id = `dialog-${props.title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <dialog ref={ref} class={`modal ${props.class ?? ''}`} role={props.role} aria-labelledby={id} aria-describedby={props.describedBy} aria-modal="true">
      <h2 id={id}>{props.title}</h2>
      {props.children}
    </dialog>
  );
}
