import { useEffect, useState } from 'preact/hooks';
import { core, message, type Access, type Group, type Member, type VaultInfo } from '../core';
import { useApp } from '../shell/AppState';

export interface OrgData {
  members: Member[];
  groups: Group[];
  vaults: VaultInfo[];
  access: Record<string, Access[]>; // of the vaults this account manages
  error: string;
  loaded: boolean;
  reload: () => void;
}

// useOrgData reads what an organisation's pages show, anew at every
// change; answers for an organisation switched away from are dropped.
export function useOrgData(orgID: string): OrgData {
  const app = useApp();
  const [n, setN] = useState(0);
  const [members, setMembers] = useState<Member[]>([]);
  const [groups, setGroups] = useState<Group[]>([]);
  const [vaults, setVaults] = useState<VaultInfo[]>([]);
  const [access, setAccess] = useState<Record<string, Access[]>>({});
  const [error, setError] = useState('');
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    let live = true;
    const fail = (e: unknown) => { if (live) setError(message(e)); };
    void (async () => {
      try {
        const [ms, gs, vs] = await Promise.all([core.members(orgID), core.groups(orgID), core.vaults()]);
        const mine = vs.filter((v) => v.org_id === orgID);
        const out: Record<string, Access[]> = {};
        for (const v of mine) if (v.permission === 'manage') out[v.id] = await core.access(v.id);
        if (!live) return;
        setMembers(ms); setGroups(gs); setVaults(mine); setAccess(out); setError(''); setLoaded(true);
      } catch (e) { fail(e); setLoaded(true); }
    })();
    return () => { live = false; };
  }, [orgID, app.tick, n]);
  return { members, groups, vaults, access, error, loaded, reload: () => { setN((x) => x + 1); app.changed(); } };
}

// opensOf says what a member or group can open, from the access lists of
// the vaults shown (a member's access through their groups counts too).
export function opensOf(d: OrgData, kind: 'user' | 'group', ref: string): string {
  const list = d.vaults.flatMap((v) => (d.access[v.id] ?? []).flatMap((a) => {
    if (a.kind === kind && (kind === 'group' ? a.id === ref : a.name === ref)) return [`${v.name} (${a.permission})`];
    const via = kind === 'user' && a.kind === 'group' ? d.groups.find((g) => g.id === a.id && g.members.includes(ref)) : undefined;
    return via ? [`${v.name} (${a.permission}, through ${via.name})`] : [];
  }));
  return list.join(', ');
}
