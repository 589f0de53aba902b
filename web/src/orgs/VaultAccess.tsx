import { useState } from 'preact/hooks';
import { core, type OrgDetail, type VaultInfo } from '../core';

const PERMS = ['view', 'edit', 'manage'];

// VaultAccess is one vault: this account's permission and, where it
// manages the vault, who can open it (change, revoke, grant).
export function VaultAccess(props: { vault: VaultInfo; detail: OrgDetail; me: string; act: (what: () => Promise<unknown>, done: string) => Promise<void> }) {
  const v = props.vault;
  const manage = v.can_manage;
  const list = v.access ?? [];
  const groups = props.detail.groups;
  const targets = [...groups.filter((g) => !g.private).map((g) => ({ value: `group:${g.id}`, label: `group ${g.name}` })), ...props.detail.roster.map((e) => ({ value: `user:${e}`, label: e }))];
  const [to, setTo] = useState(targets[0]?.value ?? '');
  const defaultPerm = (t: string) => (t.startsWith('group:') ? groups.find((g) => `group:${g.id}` === t)?.default_permission : undefined) ?? 'view';
  const [perm, setPerm] = useState<string | null>(null);
  const target = to || targets[0]?.value || '';
  return (
    <li class="card vault-access">
      <div class="group-head"><h3>{v.name}</h3><span class="muted">you: {v.permission}</span></div>
      {manage ? (
        <table class="table access" aria-label={`Who can open ${v.name}`}>
          <thead><tr><th scope="col">Who</th><th scope="col">Permission</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {list.map((a) => a.kind === 'user' && a.name === props.me ? (
              <tr key={a.kind + a.id}><td data-label="Who">{a.name} (you)</td><td data-label="Permission">{a.permission}</td><td /></tr>
            ) : (
              <tr key={a.kind + a.id}>
                <td data-label="Who">{a.kind === 'group' ? `group ${a.name}` : a.name}</td>
                <td data-label="Permission"><label class="sr-only" for={`perm-${v.id}-${a.id}`}>Permission of {a.name} on {v.name}</label>
                  <select id={`perm-${v.id}-${a.id}`} value={a.permission} onChange={(e) => { const p = (e.target as HTMLSelectElement).value; void props.act(() => core.grant(v.id, a.kind as 'group' | 'user', a.kind === 'group' ? a.id : a.name, p), `${a.name} can now ${p} ${v.name}.`); }}>
                    {PERMS.map((p) => <option key={p} value={p}>{p}</option>)}</select></td>
                <td class="row-actions"><button type="button" class="small" aria-label={`Revoke ${a.name} from ${v.name}`} onClick={() => props.act(() => core.revoke(v.id, a.kind, a.kind === 'group' ? a.id : a.name), `${a.name} can no longer open ${v.name}.`)}>Revoke</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : <p class="muted">Whoever manages {v.name} decides who can open it.</p>}
      {manage && targets.length ? (
        <form class="inline" onSubmit={(e) => {
          e.preventDefault();
          const [kind, ref] = [target.slice(0, target.indexOf(':')), target.slice(target.indexOf(':') + 1)];
          const p = perm ?? defaultPerm(target);
          void props.act(() => core.grant(v.id, kind as 'group' | 'user', ref, p), `Granted ${p} on ${v.name}.`);
        }}>
          <label for={`grant-${v.id}`}>Grant {v.name} to</label>
          <select id={`grant-${v.id}`} value={target} onChange={(e) => { setTo((e.target as HTMLSelectElement).value); setPerm(null); }}>{targets.map((t) => <option key={t.value} value={t.value}>{t.label}</option>)}</select>
          <label for={`grantperm-${v.id}`} class="sr-only">Permission on {v.name}</label>
          <select id={`grantperm-${v.id}`} value={perm ?? defaultPerm(target)} onChange={(e) => setPerm((e.target as HTMLSelectElement).value)}>{PERMS.map((p) => <option key={p} value={p}>{p}</option>)}</select>
          <button type="submit" class="small" aria-label={`Grant access to ${v.name}`}>Grant</button>
        </form>
      ) : null}
    </li>
  );
}
