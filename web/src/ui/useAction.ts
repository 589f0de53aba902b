import { useState } from 'preact/hooks';
import { message } from '../core';

// useAction runs what a button asks of the core and says how it went:
// note (what was done, in the action's words) or error (what went
// wrong, in a person's words); after either, done() — a reload, since a
// batch may have gone through in part.
export function useAction(after: () => void) {
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const act = async (what: () => Promise<unknown>, done: string) => {
    setError(''); setNote('');
    try { await what(); setNote(done); } catch (err) { setError(message(err)); }
    after();
  };
  return { note, error, setNote, setError, act };
}
