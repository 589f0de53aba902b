import { useEffect, useState } from 'preact/hooks';
import { core } from '../core';

// useLive follows the account's live changes (other browsers, the CLI):
// each one calls changed; a stop says why (tampering is its own words).
export function useLive(changed: () => void): string {
  const [banner, setBanner] = useState('');
  useEffect(() => {
    void core.watch((c) => {
      if (c.kind === 'error' && 'error' in c) {
        setBanner(c.error === 'tampered' ? `Tampering detected: ${c.text}` : `Live updates stopped: ${c.text}`);
        return;
      }
      changed();
    });
  }, []);
  return banner;
}
