import { useEffect, useState } from 'preact/hooks';
import { core, message, type Device } from '../core';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { ErrorLine } from '../ui/ErrorLine';

// Devices: every device signed in to this account (each log-in is one,
// named by the core: "Firefox on Windows", "coffer CLI on HOST (Linux)"),
// with its last use and address. Signing one out refuses its next request
// and ends its live stream at once; this one signs out with Log out.
export function Devices() {
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const [asking, setAsking] = useState<Device | 'others' | null>(null);
  const load = () => core.devices().then(setDevices, (e) => setError(message(e)));
  useEffect(() => { void load(); }, []);
  const others = (devices ?? []).filter((d) => !d.current).length;
  const when = (t: string) => new Date(t).toLocaleString();
  return (
    <section class="card" aria-labelledby="devices-title">
      <h2 id="devices-title">Devices</h2>
      <p class="hint">Each log-in is a device. Sign out one you do not recognise, then change the master password.</p>
      <ErrorLine error={error} />
      {note ? <p role="status">{note}</p> : null}
      {!devices ? <p class="muted">Opening…</p> : (
        <ul class="rows devices">
          {devices.map((d) => (
            <li key={d.id} class="row-line">
              <span class="name">
                <strong>{d.name}</strong>{d.current ? <span class="badge">this device</span> : null}
                <br />
                <span class="hint">Last used {when(d.last_used_at)} from {d.client_addr || 'an unknown address'} · signed in {when(d.created_at)}</span>
              </span>
              {d.current ? null : <button type="button" class="small" aria-label={`Sign out ${d.name} (${d.client_addr})`} onClick={() => { setNote(''); setAsking(d); }}>Sign out</button>}
            </li>
          ))}
        </ul>
      )}
      {others > 0 ? (
        <div class="actions">
          <button type="button" class="danger" onClick={() => { setNote(''); setAsking('others'); }}>Sign out all other devices</button>
        </div>
      ) : null}
      {asking === 'others' ? (
        <ConfirmDialog title="Sign out all other devices?" danger action="Sign out all other devices" onClose={() => setAsking(null)}
          text={`${others} other device(s) are signed out now and must log in again with the master password. This device stays signed in.`}
          onConfirm={async () => { const r = await core.signOutOthers(); setNote(`${r.revoked_sessions} other device(s) signed out.`); await load(); }} />
      ) : asking ? (
        <ConfirmDialog title={`Sign out ${asking.name}?`} danger action={`Sign out ${asking.name}`} onClose={() => setAsking(null)}
          text={`${asking.name} (last used from ${asking.client_addr || 'an unknown address'}) is signed out now: it must log in again with the master password.`}
          onConfirm={async () => { await core.endSession(asking.id); setNote(`${asking.name} signed out.`); await load(); }} />
      ) : null}
    </section>
  );
}
