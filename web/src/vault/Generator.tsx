import { useEffect, useState } from 'preact/hooks';
import { core, message, RULES } from '../core';
import { ErrorLine } from '../ui/ErrorLine';

// Generator makes a password (length and character sets) or a
// passphrase (number of words) with the client core's generator.
export function Generator(props: { onUse?: (v: string) => void; useLabel?: string }) {
  const [length, setLength] = useState(20);
  const [words, setWords] = useState(0);
  const [upper, setUpper] = useState(true);
  const [digits, setDigits] = useState(true);
  const [symbols, setSymbols] = useState(true);
  const [value, setValue] = useState('');
  const [error, setError] = useState('');
  const make = () => core.generate(words ? { words, separator: '-' } : { length, no_upper: !upper, no_digits: !digits, no_symbols: !symbols })
    .then((r) => { setValue(r.value); setError(''); }, (e) => setError(message(e)));
  useEffect(() => { void make(); }, [length, words, upper, digits, symbols]);
  const box = (label: string, on: boolean, set: (v: boolean) => void) => (
    <label><input type="checkbox" checked={on} disabled={words > 0} onChange={() => set(!on)} /> {label}</label>
  );
  return (
    <div class="generator">
      <div class="actions wrap">
        <label><input type="checkbox" checked={words > 0} onChange={() => setWords(words ? 0 : 6)} /> Passphrase</label>
        {words > 0 ? (
          <span class="inline"><label for="gen-words">Words</label>
            <input id="gen-words" type="number" min={RULES.passphrase_words_min} max={RULES.passphrase_words_max} value={words} onInput={(e) => setWords(Math.min(RULES.passphrase_words_max, Math.max(RULES.passphrase_words_min, Number((e.target as HTMLInputElement).value) || 6)))} /></span>
        ) : (
          <>
            <span class="inline"><label for="gen-length">Length</label>
              <input id="gen-length" type="number" min={RULES.password_length_min} max={RULES.password_length_max} value={length} onInput={(e) => setLength(Number((e.target as HTMLInputElement).value) || 20)} /></span>
            {box('A–Z', upper, setUpper)}{box('0–9', digits, setDigits)}{box('Symbols', symbols, setSymbols)}
          </>
        )}
      </div>
      <code id="generated" aria-live="polite">{value}</code>
      <ErrorLine error={error} />
      <div class="actions">
        <button type="button" onClick={() => void make()}>Again</button>
        {props.onUse ? <button type="button" class="primary" disabled={!value} onClick={() => props.onUse!(value)}>{props.useLabel ?? 'Use it'}</button> : null}
      </div>
    </div>
  );
}
