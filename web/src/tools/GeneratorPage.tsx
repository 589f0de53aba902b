import { useState } from 'preact/hooks';
import { copy } from '../ui/copy';
import { Generator } from '../vault/Generator';

// GeneratorPage: the password generator on its own, for a password that
// is not for an item (a Wi-Fi key, a new account elsewhere).
export function GeneratorPage() {
  const [note, setNote] = useState('');
  return (
    <section class="card narrow" aria-labelledby="gen-title">
      <h2 id="gen-title">Password generator</h2>
      <p class="muted">Made in this browser by Coffer's core, from the operating system's randomness; nothing is saved.</p>
      <Generator onUse={(v) => void copy(v, setNote)} useLabel="Copy" />
      {note ? <p role="status" class="muted">{note}</p> : null}
    </section>
  );
}
