// copy puts a value on the clipboard and clears it after 30 s.
export async function copy(value: string, setNote: (s: string) => void) {
  try {
    await navigator.clipboard.writeText(value);
    setNote('Copied; the clipboard is cleared in 30 s.');
    setTimeout(() => { void navigator.clipboard.writeText('').catch(() => undefined); setNote(''); }, 30000);
  } catch {
    setNote('This browser did not allow copying.');
  }
}
