import { useEffect, useState } from 'preact/hooks';
import { core } from '../core';

// useLive follows the account's live changes (other browsers, the CLI):
// each one calls changed; a stop says why (tampering is its own words).
// A stream the server ended because this device was signed out (from
// Account → Devices elsewhere, or coffer devices revoke) calls signedOut:
// the page locks, and unlocking signs in again with the master password.
// A server restored from a backup calls restored with the core's sentence
// (the shell asks what to do); the stream starts again when run changes.
export function useLive(changed: () => void, signedOut: () => void, restored: (text: string) => void = () => undefined, run = 0): string {
  const [banner, setBanner] = useState('');
  useEffect(() => {
    setBanner('');
    void core.watch((c) => {
      if (c.kind === 'error' && 'error' in c && c.error === 'unauthorized') {
        signedOut();
        return;
      }
      if (c.kind === 'error' && 'error' in c && c.error === 'server-restored') {
        restored(c.text);
        return;
      }
      if (c.kind === 'error' && 'error' in c) {
        setBanner(c.error === 'tampered' ? `Tampering detected: ${c.text}` : `Live updates stopped: ${c.text}`);
        return;
      }
      changed();
    });
  }, [run]);
  return banner;
}
