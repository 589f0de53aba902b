import { useEffect, useState } from 'preact/hooks';
import { core, message, onStopped, type Status } from '../core';
import { ErrorLine } from '../ui/ErrorLine';
import { SSOFinish } from '../welcome/SSOFinish';
import { Welcome } from '../welcome/Welcome';
import { useRoute } from './router';
import { Shell } from './Shell';
import { Stopped } from './Stopped';

// App: the client core's state decides between the open screens (log
// in, sign up, unlock) and the app; a stopped core covers everything.
export function App() {
  const route = useRoute();
  const [status, setStatus] = useState<Status | null>(null);
  const [error, setError] = useState('');
  const [stopped, setStopped] = useState<string | null>(null);
  const [lockedWhy, setLockedWhy] = useState(''); // why the app locked itself, if not asked to
  useEffect(() => onStopped(setStopped), []);
  useEffect(() => { core.status().then(setStatus, (e) => setError(message(e))); }, []);
  if (stopped !== null) return <Stopped error={stopped} />;
  if (error) return <ErrorLine error={error} />;
  if (!status) return <p class="loading">Loading Coffer…</p>;
  // Back from the company's sign-in, whatever this browser held before.
  if (route.screen === 'sso') return <SSOFinish onDone={(s) => { setLockedWhy(''); setStatus(s); }} />;
  if (status.state !== 'unlocked') {
    const mode = route.screen === 'login' || route.screen === 'signup' || route.screen === 'unlock' ? route.screen : undefined;
    return <Welcome key={status.state} status={status} mode={mode} invited={route.screen === 'join'} note={lockedWhy} onDone={(s) => { setLockedWhy(''); setStatus(s); }} />;
  }
  return <Shell status={status} onLock={(why) => { setLockedWhy(why ?? ''); setStatus({ ...status, state: 'locked' }); }} onLogout={() => setStatus({ state: 'none' })} />;
}
