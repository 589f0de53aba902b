import type { ComponentChildren } from 'preact';
import { follow } from './router';

// Link is a real link (it opens in a new tab, it can be copied) that
// navigates inside the app on a plain click.
export function Link(props: { href: string; class?: string; current?: boolean; label?: string; dataId?: string; children: ComponentChildren; onClick?: () => void }) {
  return (
    <a href={props.href} class={props.class} aria-current={props.current ? 'page' : undefined} aria-label={props.label} data-id={props.dataId}
      onClick={(e) => { follow(e as unknown as MouseEvent, props.href); props.onClick?.(); }}>
      {props.children}
    </a>
  );
}
