import { useEffect } from 'preact/hooks';
import { idleMinutes } from '../account/idle';

// useIdleLock calls lock after the chosen idle time (the keys go with the
// session). The setting is read at every arming, so a change applies at
// once; not while a modal is open (a code being read out on a call).
export function useIdleLock(lock: () => void) {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      const minutes = idleMinutes();
      if (minutes) timer = setTimeout(() => (document.querySelector('dialog[open]') ? arm() : lock()), minutes * 60000);
    };
    arm();
    const events = ['pointerdown', 'keydown', 'wheel', 'touchstart'];
    events.forEach((e) => window.addEventListener(e, arm, { passive: true }));
    return () => { clearTimeout(timer); events.forEach((e) => window.removeEventListener(e, arm)); };
  }, []);
}
