import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ItemType, Org, Status, VaultInfo } from '../core';

// What every screen of an unlocked app shares: who is logged in, the
// organisations and vaults (for the navigation and the pickers), the
// item types (the client core's list: the type picker, the filters, the
// editor's fields), and a tick that moves at every change (live or made
// here), on which screens read their data anew.
export interface AppState {
  status: Status;
  orgs: Org[];
  vaults: VaultInfo[];
  types: ItemType[];
  tick: number;
  changed: () => void;
}

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const s = useContext(AppContext);
  if (!s) throw new Error('useApp outside the app shell');
  return s;
}
