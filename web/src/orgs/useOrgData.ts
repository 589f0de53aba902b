import { useEffect, useState } from 'preact/hooks';
import { core, CoreError, message, type OrgDetail, type Opens } from '../core';
import { useApp } from '../shell/AppState';

export interface OrgData {
  detail: OrgDetail | null; // the client core's view of the organisation (org())
  error: string;
  reload: () => void;
}

// useOrgData reads an organisation's screen from the client core — its
// members, groups and vaults as this account may see them, with what each
// may do and opens — anew at every change; an answer for an organisation
// switched away from is dropped.
export function useOrgData(orgID: string): OrgData {
  const app = useApp();
  const [n, setN] = useState(0);
  const [detail, setDetail] = useState<OrgDetail | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    core.org(orgID).then((d) => { if (live) { setDetail(d); setError(''); } }, (e) => {
      if (!live) return;
      // Gone (left, unbound, deleted): nothing of it stays on screen.
      if (e instanceof CoreError && e.kind === 'not-found') setDetail(null);
      setError(message(e));
    });
    return () => { live = false; };
  }, [orgID, app.tick, n]);
  return { detail, error, reload: () => { setN((x) => x + 1); app.changed(); } };
}

// opensText says what a member or group opens, as the core listed it.
export function opensText(opens: Opens[] | undefined): string {
  return (opens ?? []).map((o) => `${o.vault} (${o.permission}${o.through ? `, through ${o.through}` : ''})`).join(', ');
}
