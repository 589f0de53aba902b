import { useEffect, useRef, useState } from 'preact/hooks';
import { core } from '../core';
import { useApp } from '../shell/AppState';

// Totp shows an item's current one-time code and its countdown; a new
// code is asked of the client core when the old one runs out.
export function Totp(props: { id: string; onCopy?: (code: string) => void }) {
  const { tick } = useApp();
  const [code, setCode] = useState<{ code: string; until: number } | null>(null);
  const [, setNow] = useState(0);
  const fetching = useRef(false);
  const fetchCode = () => {
    if (fetching.current) return;
    fetching.current = true;
    core.totp(props.id).then((r) => setCode({ code: r.code, until: Date.now() + r.seconds_left * 1000 }), () => setCode(null))
      .finally(() => { fetching.current = false; });
  };
  useEffect(fetchCode, [props.id, tick]);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  if (!code) return null;
  const left = Math.ceil((code.until - Date.now()) / 1000);
  if (left <= 0) fetchCode();
  // The countdown is a timer (read when asked, not every second).
  return (
    <span class="totp">
      <code id="totp-code">{code.code}</code>
      <span class="muted" role="timer" aria-label={`${Math.max(left, 0)} seconds left`}> {Math.max(left, 0)} s</span>
      {props.onCopy ? <button type="button" class="small" aria-label="Copy one-time code" onClick={() => props.onCopy?.(code.code)}>Copy</button> : null}
    </span>
  );
}
