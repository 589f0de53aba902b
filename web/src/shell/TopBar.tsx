import { Lock, Menu, Search } from 'lucide';
import { Icon } from '../ui/Icon';

// TopBar: the menu button (narrow screens), the screen's heading, search
// (on Passwords), the account and Lock.
export function TopBar(props: { title: string; email: string; navOpen: boolean; onMenu: () => void; onLock: () => void; search?: { value: string; onInput: (v: string) => void } }) {
  return (
    <header class="topbar">
      <button type="button" class="icon-only menu" aria-label="Menu" aria-expanded={props.navOpen} aria-controls="nav-drawer" onClick={props.onMenu}><Icon icon={Menu} /></button>
      <h1>{props.title}</h1>
      {props.search ? (
        <div class="search">
          <Icon icon={Search} />
          <label for="search" class="sr-only">Search</label>
          <input id="search" type="search" placeholder="Search" autocomplete="off" value={props.search.value}
            onInput={(e) => props.search!.onInput((e.target as HTMLInputElement).value)} />
        </div>
      ) : null}
      <span class="who muted" title="Logged in as">{props.email}</span>
      <button type="button" onClick={props.onLock}><Icon icon={Lock} /> Lock</button>
    </header>
  );
}
