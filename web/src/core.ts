// The narrow bridge to the Go client core running as WebAssembly
// (cmd/coffer-web over internal/bridge, docs/web.md). Every call returns
// JSON of the type the Go side declares (core/types.gen.ts, generated from
// the Go structs and checked by a Go test); the page never sees a key —
// only what it shows — and holds no product rule: limits, validation,
// permissions, field lists and history labels come from the core.
import type { BridgeFunction, BridgeResults, Content, ErrorKind, ImportReport, Status as CoreStatus, Unlocked, WatchEvent } from './core/types.gen';
import { ITEM_TYPES, RULES, TEXTS } from './core/types.gen';

export type {
  Accepted, Access, Account, Addresses, AdminOrg, AdminUser, AdminUserDetail, AuditEntry, AuditLog, AuditTarget, Change, Content, Device, Field, File as FileRef, Group, Invitation, Invited, ItemWithContent as Item, JoinState, KDF, Member, Notice,
  Detected, ExportPlan, FormatInfo, ImportPlan, ImportReport, ExposedItem, Exposure, ExposureReport, ItemType, MyExportPolicy, Opens, Org, OrgDetail, Recovery, Rotation, Rotations, Rows, ShareGroup, SSHKeyCheck, Summary, TypeField, Vault as VaultInfo, VaultRef, Version,
} from './core/types.gen';
export { ITEM_TYPES, RULES, TEXTS };

// Status is the core's state, with what a log-in or sign-up answers.
export type Status = CoreStatus & Partial<Omit<Unlocked, 'email'>>;

export class CoreError extends Error {
  constructor(message: string, readonly kind: string) { super(message); }
}

type Fn = (...args: string[]) => Promise<string>;
interface Bridge { [name: string]: Fn }

declare global {
  interface Window {
    cofferCore?: Bridge;
    Go: new () => { importObject: WebAssembly.Imports; run(i: WebAssembly.Instance): Promise<void>; exit: (code: number) => void };
  }
}

let ready: Promise<Bridge> | undefined;

// ---- A stopped core (issue 24, defect 1) ----
//
// The client core is a Go program: if its runtime ever exits (a fatal
// error such as a deadlock: Go's bridge recovers every panic itself), every
// key and every function of the tab are gone. The page must know at once
// (onStopped: the app shows "Coffer stopped — reload" over everything),
// and no call may hang or throw Go's "Go program has already exited":
// each rejects with a CoreError of kind 'stopped'.

let stoppedWith: string | undefined;
const stopListeners = new Set<(error: string) => void>();
let rejectStopped: (e: CoreError) => void = () => undefined;
// Rejects once, when the core stops; every call races it.
const stoppedSignal = new Promise<never>((_, reject) => { rejectStopped = reject; });
stoppedSignal.catch(() => undefined); // (a rejection nobody awaited is not an error)

const stoppedMessage = () => `Coffer stopped (${stoppedWith ?? 'its client core is not running'}). Reload the page to start it again.`;

// stop records that the core stopped, with what it said, and tells every
// listener once.
function stop(error: string): void {
  if (stoppedWith !== undefined) return;
  stoppedWith = error;
  rejectStopped(new CoreError(stoppedMessage(), 'stopped'));
  // Not from inside the Go call that exited: a listener may call again.
  queueMicrotask(() => {
    for (const listener of [...stopListeners]) {
      try { listener(error); } catch (e) { console.error(e); }
    }
    stopListeners.clear();
  });
}

// onStopped calls listener once, with the error text (what the runtime
// said last, and its exit code), when the client core stops — at once if
// it has stopped already. It returns a function that removes the
// listener.
export function onStopped(listener: (error: string) => void): () => void {
  if (stoppedWith !== undefined) {
    const error = stoppedWith;
    queueMicrotask(() => listener(error));
    return () => undefined;
  }
  stopListeners.add(listener);
  return () => { stopListeners.delete(listener); };
}

// The runtime's own last words: Go writes a fatal error or an unrecovered
// panic to standard error, which wasm_exec.js prints on the console; the
// first such line of the run is kept for onStopped (the rest still goes
// to the console).
let lastWords = '';
function keepLastWords(): void {
  const fs = (globalThis as unknown as { fs?: { writeSync?: (fd: number, buf: Uint8Array) => number } }).fs;
  if (!fs || typeof fs.writeSync !== 'function') return;
  const write = fs.writeSync.bind(fs);
  const decoder = new TextDecoder();
  let line = '';
  fs.writeSync = (fd: number, buf: Uint8Array) => {
    if (fd === 2 && !lastWords) {
      line += decoder.decode(buf, { stream: true });
      for (const l of line.split('\n')) {
        if (/^(fatal error|panic):/.test(l)) { lastWords = l.trim(); break; }
      }
      line = line.slice(line.lastIndexOf('\n') + 1);
    }
    return write(fd, buf);
  };
}

// A call that threw or rejected: a CoreError for the page.
function coreError(e: unknown): CoreError {
  if (e instanceof CoreError) return e;
  const err = e as (Error & { kind?: string }) | undefined;
  const text = String(err?.message ?? e);
  // Go's wasm_exec.js after the exit, or a WebAssembly trap (the runtime
  // is in no state to go on): the core has stopped.
  if (stoppedWith !== undefined || /Go program has already exited/.test(text) || e instanceof WebAssembly.RuntimeError) {
    stop(lastWords || (e instanceof WebAssembly.RuntimeError ? `WebAssembly: ${text}` : 'the client core exited'));
    return new CoreError(stoppedMessage(), 'stopped');
  }
  return new CoreError(text, err?.kind ?? 'error');
}

// fetchCore fetches the client core, which must be exactly the one this
// build names: this script carries its SHA-384 (and the page carries this
// script's), so the browser refuses other bytes. A refused core may be a
// copy the HTTP cache kept from a server that once sent it: ask the
// server once more, past the cache, before giving up.
async function fetchCore(): Promise<Response> {
  const integrity = __CORE_WASM_INTEGRITY__;
  try {
    return await fetch('/core.wasm', { integrity });
  } catch {
    try {
      return await fetch('/core.wasm', { integrity, cache: 'reload' });
    } catch {
      throw new CoreError('The client core the server sent is not this page\'s own (its SHA-384 differs), or did not arrive; Coffer did not start. ' +
        'Reload to try again; if this stays, do not enter your master password here, and tell whoever runs this server.', 'core-refused');
    }
  }
}

// start loads the client core once.
export function start(): Promise<Bridge> {
  ready ??= (async () => {
    // wasm_exec.js is named by its integrity too: a refused copy leaves no
    // Go (the page's guard script fetches it anew and reloads).
    if (typeof window.Go !== 'function') throw new CoreError("Go's wasm_exec.js did not run (the browser refused the copy the server sent, or none came); Coffer did not start.", 'core-refused');
    const go = new window.Go();
    keepLastWords();
    const exit = go.exit;
    go.exit = (code: number) => {
      exit(code);
      stop(`${lastWords || 'the client core exited'} (exit code ${code})`);
    };
    const loaded = new Promise<void>((resolve) => window.addEventListener('coffer-core-ready', () => resolve(), { once: true }));
    const { instance } = await WebAssembly.instantiateStreaming(fetchCore(), go.importObject);
    // run settles when the Go program exits, which it never does unless
    // it failed.
    go.run(instance).then(
      () => stop(lastWords || 'the client core exited'),
      (e: unknown) => stop(lastWords || String((e as Error)?.message ?? e)));
    await Promise.race([loaded, stoppedSignal]);
    return window.cofferCore!;
  })();
  return ready;
}

type Arg = string | number | Uint8Array | ((...a: never[]) => void);

// invokeCore makes one bridge call: it rejects with kind 'stopped' when
// the core has stopped or stops before answering, never hangs on it.
async function invokeCore<R>(fn: (core: Bridge) => Promise<R>): Promise<R> {
  const bridge = await start();
  if (stoppedWith !== undefined) throw new CoreError(stoppedMessage(), 'stopped');
  try {
    return await Promise.race([fn(bridge), stoppedSignal]);
  } catch (e) {
    throw coreError(e);
  }
}

async function call<K extends BridgeFunction>(name: K, ...args: Arg[]): Promise<BridgeResults[K]> {
  return JSON.parse(await invokeCore((c) => (c[name] as unknown as (...a: Arg[]) => Promise<string>)(...args))) as BridgeResults[K];
}

export const core = {
  status: () => call('status') as Promise<Status>,
  signup: (email: string, name: string, password: string) => call('signup', email, name, password) as Promise<Status>,
  // code: the two-factor code of an account that asks one (the page asks
  // it after a 'second-factor-required' error).
  // Without a code, an account with two-factor log-in answers state
  // 'second-factor' with its methods (and a security key's options).
  login: (email: string, password: string, code = '') => call('login', email, password, code) as Promise<Status>,
  // assertion: what navigator.credentials.get gave (webauthn.ts).
  // ticket: a single sign-on's, when the log-in came from the company's sign-in.
  loginSecurityKey: (email: string, password: string, assertion: string, ticket = '') => call('loginSecurityKey', email, password, assertion, ticket) as Promise<Status>,
  // A server that sends mail holds a sign-up (state "verify") until the
  // mailed code comes back.
  verifySignup: (userID: string, code: string) => call('verifySignup', userID, code),
  // Single sign-on (docs/protocol.md §8.4): the company's sign-in proves
  // the address; the master password still unlocks.
  ssoInfo: () => call('ssoInfo'),
  ssoStart: () => call('ssoStart'),
  ssoTicket: (ticket: string) => call('ssoTicket', ticket),
  ssoError: (code: string) => call('ssoError', code),
  ssoLogin: (ticket: string, email: string, password: string, code = '') => call('ssoLogin', ticket, email, password, code) as Promise<Status>,
  ssoSignup: (ticket: string, email: string, name: string, password: string) => call('ssoSignup', ticket, email, name, password) as Promise<Status>,
  unlock: (password: string) => call('unlock', password) as Promise<Status>,
  lock: () => call('lock'),
  logout: () => call('logout'),
  sync: () => call('sync'),
  // A restore of the server from a backup, accepted (docs/protocol.md
  // §9.1): what this device holds that the server lost is given back.
  acceptRestore: () => call('acceptRestore'),
  list: (query: string, vault = '') => call('list', query, vault),
  // rows: the list the page holds of a vault ('' for all), column by
  // column; find: which of the last rows match a query (positions).
  rows: (vault = '') => call('rows', vault),
  find: (query: string) => call('find', query),
  vaults: () => call('vaults'),
  rules: () => call('rules'),
  // The item types with their fields (the core's one list); an SSH key
  // checked as it is typed, by the rule a save applies.
  itemTypes: () => call('itemTypes'),
  checkSSHKey: (privateKey: string, publicKey: string) => call('checkSSHKey', privateKey, publicKey),
  checkAddresses: (text: string) => call('checkAddresses', text),
  checkPassword: (password: string) => call('checkPassword', password),
  account: () => call('account'),
  // Raise the Argon2id parameters (the password stays); time them first.
  kdf: (password: string, p: { time: number; memory_kib: number; threads: number }) => call('kdf', password, JSON.stringify(p)),
  kdfTime: (p: { time: number; memory_kib: number; threads: number }) => call('kdfTime', JSON.stringify(p)),
  password: (current: string, next: string, revoke: boolean) => call('password', current, next, revoke ? 'revoke' : ''),
  // The account's signed-in devices (named by the core, this one first);
  // sign one out, or every other one.
  devices: () => call('devices'),
  signOutOthers: () => call('signOutOthers'),
  // What this account may export, asked of the server each time.
  exportPolicy: () => call('exportPolicy'),
  recovery: () => call('recovery'),
  quarantined: () => call('quarantined'),
  // The account's notices (its recovery history); acknowledge one.
  notices: () => call('notices'),
  ackNotice: (id: string) => call('ackNotice', id),
  enrol: (org: string) => call('enrol', org),
  leave: (org: string) => call('leave', org),
  endSession: (id: string) => call('endSession', id),
  // get: the item's view (fields with kinds and labels, capabilities, move
  // targets, share groups) and its content, for the editor; with access,
  // who opens it.
  get: (id: string, access = false) => call('get', id, access ? 'access' : ''),
  // vault: where the item goes ('' is My Vault).
  create: (type: string, content: Content, vault = '') => call('create', type, JSON.stringify(content), vault),
  // update saves a new revision over base (the revision the editor
  // started from); a newer head is a conflict (kind "conflict").
  update: (id: string, content: Content, base = 0) => call('update', id, JSON.stringify(content), base),
  trash: (id: string) => call('trash', id),
  restore: (id: string) => call('restore', id),
  purge: (id: string) => call('purge', id),
  trashed: () => call('trashed'),
  history: (id: string) => call('history', id),
  rollback: (id: string, rev: number) => call('rollback', id, rev),
  restoreField: (id: string, field: string, rev: number) => call('restoreField', id, field, rev),
  totp: (id: string) => call('totp', id),
  generate: (o: { length?: number; no_upper?: boolean; no_digits?: boolean; no_symbols?: boolean; words?: number; separator?: string }) => call('generate', JSON.stringify(o)),
  // itemName names a new file item (id empty), which goes to vault ('' is
  // My Vault); fileName stays the file's.
  attach: async (id: string, itemName: string, fileName: string, data: Uint8Array, progress: (sent: number, total: number) => void, vault = '') =>
    JSON.parse(await invokeCore((c) => (c.attach as unknown as (...a: unknown[]) => Promise<string>)(id, itemName, fileName, data, progress, vault))) as { id: string },
  download: async (id: string, fileID: string): Promise<Uint8Array> =>
    invokeCore((c) => (c.download as unknown as (...a: unknown[]) => Promise<Uint8Array>)(id, fileID)),
  // Organisations (the same client calls as the CLI's `coffer org …`).
  orgs: () => call('orgs'),
  org: (org: string) => call('org', org),
  createOrg: (name: string) => call('createOrg', name),
  invite: (org: string, emails: string[]) => call('invite', org, JSON.stringify(emails)),
  reissue: (org: string, emails: string[]) => call('reissue', org, JSON.stringify(emails)),
  requestVerification: () => call('requestVerification'),
  verifyEmail: (code: string) => call('verifyEmail', code),
  invitations: () => call('invitations'),
  joinStatus: (org: string, invitation: string) => call('joinStatus', org, invitation),
  join: (org: string, code: string) => call('join', org, code),
  members: (org: string) => call('members', org),
  confirm: (org: string, emails: string[]) => call('confirm', org, JSON.stringify(emails)),
  cancelInvites: (org: string, emails: string[]) => call('cancelInvites', org, JSON.stringify(emails)),
  removeMember: (org: string, email: string) => call('removeMember', org, email),
  groups: (org: string) => call('groups', org),
  createGroup: (org: string, name: string, priv: boolean, perm: string) => call('createGroup', org, name, priv ? 'private' : '', perm),
  addGroupMembers: (org: string, group: string, emails: string[]) => call('addGroupMembers', org, group, JSON.stringify(emails)),
  removeGroupMember: (org: string, group: string, email: string) => call('removeGroupMember', org, group, email),
  // "Allow export of My Vault only" on a group (the owner), by ids.
  setTwoFactorPolicy: (org: string, require: boolean) => call('setTwoFactorPolicy', org, require ? 'on' : 'off'),
  setGroupExportPolicy: (orgID: string, groupID: string, myVaultOnly: boolean) => call('setGroupExportPolicy', orgID, groupID, myVaultOnly ? 'my-vault-only' : ''),
  createVault: (org: string, name: string) => call('createVault', org, name),
  access: (vault: string) => call('access', vault),
  grant: (vault: string, kind: 'group' | 'user', ref: string, perm: string) => call('grant', vault, kind, ref, perm),
  revoke: (vault: string, kind: string, ref: string) => call('revoke', vault, kind, ref),
  share: (item: string, org: string, group: string, perm: string) => call('share', item, org, group, perm),
  move: (item: string, vault: string) => call('move', item, vault),
  // watch streams live changes to fn until the session locks.
  leaveOrg: (org: string) => call('leaveOrg', org),
  deleteOrg: (org: string, force: boolean) => call('deleteOrg', org, force ? 'force' : ''),
  rotations: (org: string) => call('rotations', org),
  exposure: (org: string, who: string) => call('exposure', org, who),
  offerOwnership: (org: string, email: string) => call('offerOwnership', org, email),
  withdrawOwnership: (org: string) => call('withdrawOwnership', org),
  acceptOwnership: (org: string) => call('acceptOwnership', org),
  audit: (org: string, f: { actor?: string; action?: string; since?: string } = {}) => call('audit', org, JSON.stringify(f)),
  deleteAccount: (password: string) => call('deleteAccount', password),
  // Two-factor log-in (docs/protocol.md §8.1): server authentication only.
  twoFactorStatus: () => call('twoFactorStatus'),
  twoFactorStart: (password: string) => call('twoFactorStart', password),
  twoFactorConfirm: (code: string) => call('twoFactorConfirm', code),
  twoFactorDisable: (password: string, code: string) => call('twoFactorDisable', password, code),
  twoFactorRecoveryCodes: (password: string) => call('twoFactorRecoveryCodes', password),
  // Security keys (§8.2): the options and the browser's answers pass
  // through as they are (webauthn.ts calls the browser).
  securityKeyBegin: (password: string) => call('securityKeyBegin', password),
  securityKeyFinish: (name: string, credential: string) => call('securityKeyFinish', name, credential),
  securityKeyRemove: (password: string, id: string) => call('securityKeyRemove', password, id),
  adminSearch: (text: string) => call('adminSearch', text),
  adminUser: (ref: string) => call('adminUser', ref),
  adminUnbind: (ref: string, org: string) => call('adminUnbind', ref, org),
  adminDisable: (ref: string) => call('adminDisable', ref),
  adminEnable: (ref: string) => call('adminEnable', ref),
  adminResetTwoFactor: (ref: string) => call('adminResetTwoFactor', ref),
  adminSetExportPolicy: (ref: string, myVaultOnly: boolean) => call('adminSetExportPolicy', ref, myVaultOnly ? 'my-vault-only' : ''),
  // Tools → Export and Import: the core writes and reads Coffer JSON
  // documents only; the tools module (tools/module.ts) converts them.
  exportPlan: () => call('exportPlan'),
  importPlan: () => call('importPlan'),
  // exportDocument records the export in each organisation's audit log,
  // then resolves to the Coffer JSON document of vaults ('' none: what the
  // policy allows) for format; progress(done, total) follows the items.
  exportDocument: (vaults: string[], format: string, history: boolean, progress: (done: number, total: number) => void): Promise<Uint8Array> =>
    invokeCore((c) => (c.exportDocument as unknown as (...a: unknown[]) => Promise<Uint8Array>)(JSON.stringify(vaults), format, history ? 'history' : '', progress)),
  // importDocument creates (dry: only checks) a Coffer JSON document's
  // items in vault; progress(done) follows the entries.
  importDocument: async (vault: string, doc: Uint8Array, dry: boolean, progress: (done: number) => void) =>
    JSON.parse(await invokeCore((c) => (c.importDocument as unknown as (...a: unknown[]) => Promise<string>)(vault, doc, dry ? 'dry' : '', progress))) as ImportReport,
  watch: async (fn: (c: WatchEvent) => void) => {
    await invokeCore(async (c) => { (c.watch as unknown as (cb: (s: string) => void) => void)((s: string) => fn(JSON.parse(s) as WatchEvent)); });
  },
};

// message is what a person reads for an error from the core.
// sentence starts s with a capital and ends it with a full stop.
export function sentence(s: string): string {
  const t = s.trim();
  if (!t) return t;
  return t[0].toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}

export function message(e: unknown): string {
  if (e instanceof CoreError) {
    switch (e.kind) {
      case 'wrong-password': return 'Wrong master password.';
      case 'weak-password': return `The master password must have at least ${RULES.master_password_min} characters.`;
      case 'tampered': return 'Tampering detected: ' + e.message + ' Nothing of it is shown.';
      case 'unauthorized': return 'Your session with the server ended; unlock again.';
      case 'conflict': return 'Someone else saved this item first; nothing was saved.';
      case 'permission-scope': return "Everything in a group's vault has one permission, and this group's vault holds other items the group can open with another one. Share it with the group's permission, or change the group's permission on its whole vault under Organisations → Vaults.";
      case 'unverified': return 'This server wants your e-mail address proven first: send yourself a code below and enter it.';
      case 'forbidden': return `Not allowed: ${e.message.replace(/^permission denied:?\s*/i, '')}. Ask whoever manages the vault or organisation.`;
      case 'key-mismatch': {
        const who = /\(([^()]*@[^()]*)\)\s*$/.exec(e.message)?.[1] ?? 'this person';
        return `SECURITY WARNING: the keys the server presents for ${who} are not the keys they joined with — the server may have swapped them. Nobody was confirmed and nothing was shared. Compare fingerprints with them over another channel, then cancel and invite again.`;
      }
      // The core's words, which say what to do: as a sentence.
      case 'two-factor-required': return sentence(e.message);
      // The app shell asks what to do (RestoreDialog), with the same words.
      case 'server-restored':
        window.dispatchEvent(new CustomEvent('coffer-restored', { detail: e.message }));
        return sentence(e.message);
      case 'offline':
        window.dispatchEvent(new Event('coffer-offline'));
        return 'The server cannot be reached. Nothing is lost: your changes are still here; try again when it is back.';
    }
    return e.message;
  }
  if (e instanceof TypeError) return 'The server cannot be reached; retrying when you try again.';
  return String(e);
}
