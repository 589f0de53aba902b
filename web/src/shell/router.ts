import { useEffect, useState } from 'preact/hooks';
import { parse, type Route } from './routes';

// The browser's address is the app's state of place: navigate pushes (or
// replaces) it and tells every useRoute; back and forward do the same
// through popstate.

const EVENT = 'coffer-navigate';

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  if (to === location.pathname + location.search) return;
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(EVENT));
}

export function current(): Route {
  return parse(location.pathname, location.search);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const on = () => setRoute(current());
    window.addEventListener('popstate', on);
    window.addEventListener(EVENT, on);
    return () => { window.removeEventListener('popstate', on); window.removeEventListener(EVENT, on); };
  }, []);
  return route;
}

// follow makes a plain click on an <a href> a navigation inside the app;
// a click with a modifier (new tab, new window) is the browser's.
export function follow(e: MouseEvent, to: string) {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(to);
}
