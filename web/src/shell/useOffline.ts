import { useEffect, useState } from 'preact/hooks';
import { core } from '../core';

// useOffline is true while the server cannot be reached (a call said so
// with the coffer-offline event); meanwhile a sync is tried every 2 s,
// and back calls whoever shows data to show it anew. Nothing on screen is
// thrown away meanwhile.
export function useOffline(back: () => void): boolean {
  const [offline, setOffline] = useState(false);
  useEffect(() => {
    const on = () => setOffline(true);
    window.addEventListener('coffer-offline', on);
    return () => window.removeEventListener('coffer-offline', on);
  }, []);
  useEffect(() => {
    if (!offline) return;
    const t = setInterval(() => { core.sync().then(() => { setOffline(false); back(); }, () => undefined); }, 2000);
    return () => clearInterval(t);
  }, [offline]);
  return offline;
}
