import type { ComponentChildren } from 'preact';

// EmptyState says what a screen with nothing on it is for, and offers
// the one action that fills it.
export function EmptyState(props: { title: string; text: string; children?: ComponentChildren }) {
  return (
    <div class="empty-state">
      <h2>{props.title}</h2>
      <p class="muted">{props.text}</p>
      {props.children}
    </div>
  );
}
