// Rendering a component inside the app's shared state (useApp), and the
// client core's answers the tests build on.
import { render } from '@testing-library/preact';
import type { JSX } from 'preact';
import { vi } from 'vitest';
import { ITEM_TYPES, type Item, type Member, type Org, type OrgDetail, type Rows, type Status, type Summary, type VaultInfo } from '../core';
import { AppContext, type AppState } from '../shell/AppState';

export function appState(over: Partial<AppState> = {}): AppState {
  const status: Status = { state: 'unlocked', email: 'ann@acme.example', fingerprint: 'ANN1 ANN2 ANN3' };
  // The item types are this build's core's (types.gen.ts), as
  // itemTypes() answers them.
  return { status, orgs: [], vaults: [], types: ITEM_TYPES, tick: 0, changed: vi.fn(), ...over };
}

// renderInApp renders ui with the app's state; rerender renders it anew
// with some of that state changed (a later tick, other vaults).
export function renderInApp(ui: JSX.Element, over: Partial<AppState> = {}) {
  const app = appState(over);
  const r = render(<AppContext.Provider value={app}>{ui}</AppContext.Provider>);
  return {
    ...r,
    app,
    rerenderInApp: (next: JSX.Element, more: Partial<AppState> = {}) => r.rerender(<AppContext.Provider value={{ ...app, ...more }}>{next}</AppContext.Provider>),
  };
}

export function vaultInfo(over: Partial<VaultInfo> & { id: string; label: string }): VaultInfo {
  return { name: over.label, kind: 'org', permission: 'manage', can_create: true, can_manage: true, ...over };
}

export function summary(over: Partial<Summary> & { id: string; name: string }): Summary {
  return { type: 'login', vault_id: 'v-my', vault: 'My Vault', revision: 1, trashed: false, updated: '2025-01-02T03:04:05Z', ...over };
}

// rowsOf is the core's rows() answer for these summaries, in their order.
export function rowsOf(items: Summary[], version = 1): Rows {
  const vaults: string[] = [];
  const types: string[] = [];
  const at = (list: string[], v: string) => { const i = list.indexOf(v); return i >= 0 ? i : list.push(v) - 1; };
  return {
    version, vaults, types,
    id: items.map((x) => x.id), name: items.map((x) => x.name), username: items.map((x) => x.username ?? ''),
    vault: items.map((x) => at(vaults, x.vault)), type: items.map((x) => at(types, x.type)),
    favorite: items.flatMap((x, i) => (x.favorite ? [i] : [])),
  };
}

// item is the core's get() answer: a login everyone may do everything with,
// unless over says otherwise.
export function item(over: Partial<Item> = {}): Item {
  return {
    id: 'i-1', type: 'login', type_label: 'Login', name: 'GitHub', vault_id: 'v-my', vault: 'My Vault', revision: 3, trashed: false,
    updated: '2025-01-02T03:04:05Z', values: [], permission: 'manage',
    can_edit: true, can_trash: true, can_restore: true, can_move: true, move_targets: [], can_share: true, share_groups: [],
    content: { name: 'GitHub' },
    ...over,
  };
}

export function org(over: Partial<Org> = {}): Org {
  return {
    id: 'o-acme', name: 'Acme', role: 'owner', owner_email: 'ann@acme.example',
    can_invite: true, can_manage_members: true, can_manage_groups: true, can_create_private_group: true, can_create_vault: true,
    can_grant: true, can_rename: true, can_delete: true, can_audit: true,
    require_two_factor: false, can_set_two_factor_policy: true,
    can_leave: false, leave_refusal: 'transfer ownership first: you own Acme and cannot leave it',
    ...over,
  };
}

export function member(over: Partial<Member> & { email: string; state: string }): Member {
  return { can_confirm: false, can_cancel: false, can_reissue: false, can_remove: false, can_compare: false, ...over };
}

export function orgDetail(over: Partial<OrgDetail> = {}): OrgDetail {
  return { org: org(), members: [], groups: [], vaults: [], roster: [], ...over };
}

// deferred is a promise a test settles when it chooses (to see what shows
// while the core is working).
export function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}
