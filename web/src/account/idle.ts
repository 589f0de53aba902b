// The idle lock's setting lives in this browser (it is about this
// browser, not the account).
const IDLE_KEY = 'coffer.idleMinutes';

export function idleMinutes(): number {
  const v = Number(localStorage.getItem(IDLE_KEY) ?? '15');
  return Number.isFinite(v) && v >= 0 ? v : 15;
}

export function setIdleMinutes(v: number) {
  localStorage.setItem(IDLE_KEY, String(v));
}
