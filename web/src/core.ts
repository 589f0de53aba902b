// The narrow bridge to the Go client core running as WebAssembly
// (cmd/coffer-web, docs/web.md). Every call returns JSON; the page never
// sees a key — only what it shows.

// Notice: something that happened to the account (a recovery through an
// organisation), in the client core's words; shown until acknowledged.
export interface Notice { id: string; kind: string; org_id: string; org?: string; approver: string; approved_at: string; at: string; from: string; seen: boolean; seen_at?: string; title: string; text: string; advice: string }
export interface Status { state: 'none' | 'locked' | 'unlocked' | 'verify'; email?: string; fingerprint?: string; checking?: string; user_id?: string; notices?: Notice[] }
export interface Summary { id: string; type: string; name: string; username?: string; urls?: string[]; tags?: string[]; favorite?: boolean; vault: string }
export interface Login { username?: string; password?: string; urls?: string[]; totp?: string }
export interface Card { holder?: string; number?: string; expiry?: string; cvv?: string }
export interface FileRef { id: string; name: string; size: number }
export interface Content { files?: FileRef[]; name: string; notes?: string; login?: Login; secret?: Record<string, string>; card?: Card; tags?: string[]; favorite?: boolean; [more: string]: unknown }
export interface Value { name: string; value: string; secret: boolean }
export interface Version { revision: number; author: string; time: string; change?: { op: string; revision?: number; field?: string }; from_vault?: string; values: Value[] }
export interface KDF { time: number; memory_kib: number; threads: number }
export interface Account { email: string; name: string; fingerprint: string; kdf: KDF }
export interface SessionInfo { id: string; current: boolean; created_at: string; last_used_at: string; expires_at: string; revoked: boolean; client_addr: string; description: string }
export interface VaultInfo { id: string; label: string; kind: string; permission: string; org_id?: string; name: string }
export interface Recovery { orgs: { id: string; name: string; owner: string; enrolled: boolean }[]; requests: { id: string; created_at: string; granted: boolean }[] }
export interface Change { kind: string; item_id?: string; text: string; error?: string }
export interface Item { id: string; type: string; vault: string; vault_id: string; org_id?: string; permission: string; revision: number; content: Content }
export interface Org { id: string; name: string; role: 'owner' | 'member'; owner_email: string }
export interface Invitation { id: string; org_id: string; state: string; owner: string }
export interface Member { email: string; name?: string; user_id?: string; state: 'owner' | 'confirmed' | 'joined' | 'invited' | 'cancelled' | string; fingerprint?: string; locked?: boolean }
export interface Group { id: string; name: string; private: boolean; default_permission: string; members: string[]; vault_id?: string; manager: string; manages: boolean }
export interface Access { kind: 'group' | 'user' | string; id: string; name: string; permission: string }

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

async function call<T>(name: string, ...args: string[]): Promise<T> {
  return JSON.parse(await invokeCore((c) => c[name](...args))) as T;
}

export const core = {
  status: () => call<Status>('status'),
  signup: (email: string, name: string, password: string) => call<Status>('signup', email, name, password),
  login: (email: string, password: string) => call<Status>('login', email, password),
  // A server that sends mail holds a sign-up (state "verify") until the
  // mailed code comes back.
  verifySignup: (userID: string, code: string) => call<{ ok: boolean }>('verifySignup', userID, code),
  unlock: (password: string) => call<Status>('unlock', password),
  lock: () => call<Status>('lock'),
  logout: () => call<Status>('logout'),
  sync: () => call<{ ok: boolean }>('sync'),
  list: (query: string, vault = '') => call<Summary[]>('list', query, vault),
  vaults: () => call<VaultInfo[]>('vaults'),
  account: () => call<Account>('account'),
  // Raise the Argon2id parameters (the password stays); time them first.
  kdf: (password: string, p: KDF) => call<Account>('kdf', password, JSON.stringify(p)),
  kdfTime: (p: KDF) => call<{ ms: number }>('kdfTime', JSON.stringify(p)),
  password: (current: string, next: string, revoke: boolean) => call<{ revoked_sessions: number }>('password', current, next, revoke ? 'revoke' : ''),
  sessions: () => call<SessionInfo[]>('sessions'),
  recovery: () => call<Recovery>('recovery'),
  quarantined: () => call<string[]>('quarantined'),
  // The account's notices (its recovery history); acknowledge one.
  notices: () => call<Notice[]>('notices'),
  ackNotice: (id: string) => call<{ ok: boolean }>('ackNotice', id),
  enrol: (org: string) => call<{ ok: boolean }>('enrol', org),
  leave: (org: string) => call<{ ok: boolean }>('leave', org),
  endSession: (id: string) => call<{ ok: boolean }>('endSession', id),
  get: (id: string) => call<Item>('get', id),
  create: (type: string, content: Content) => call<{ id: string }>('create', type, JSON.stringify(content)),
  // update saves a new revision over base (the revision the editor
  // started from); a newer head is a conflict (kind "conflict").
  update: (id: string, content: Content, base = 0) => callAny<{ id: string; revision: number }>('update', id, JSON.stringify(content), base),
  trash: (id: string) => call<{ ok: boolean }>('trash', id),
  restore: (id: string) => call<{ ok: boolean }>('restore', id),
  purge: (id: string) => call<{ ok: boolean }>('purge', id),
  trashed: () => call<Summary[]>('trashed'),
  history: (id: string) => call<Version[]>('history', id),
  rollback: (id: string, rev: number) => callAny<{ revision: number }>('rollback', id, rev),
  restoreField: (id: string, field: string, rev: number) => callAny<{ revision: number }>('restoreField', id, field, rev),
  totp: (id: string) => call<{ code: string; seconds_left: number }>('totp', id),
  generate: (o: { length?: number; no_upper?: boolean; no_digits?: boolean; no_symbols?: boolean; words?: number; separator?: string }) =>
    call<{ value: string; bits?: number }>('generate', JSON.stringify(o)),
  // itemName names a new file item (id empty); fileName stays the file's.
  attach: async (id: string, itemName: string, fileName: string, data: Uint8Array, progress: (sent: number, total: number) => void) =>
    JSON.parse(await invokeCore((c) => (c.attach as unknown as (...a: unknown[]) => Promise<string>)(id, itemName, fileName, data, progress))) as { id: string },
  download: async (id: string, fileID: string): Promise<Uint8Array> =>
    invokeCore((c) => (c.download as unknown as (...a: unknown[]) => Promise<Uint8Array>)(id, fileID)),
  // Organisations (the same client calls as the CLI's `coffer org …`).
  orgs: () => call<Org[]>('orgs'),
  createOrg: (name: string) => call<Org>('createOrg', name),
  invite: (org: string, emails: string[]) => call<{ code: string; mail: string }>('invite', org, JSON.stringify(emails)),
  reissue: (org: string, emails: string[]) => call<{ code: string; mail: string }>('reissue', org, JSON.stringify(emails)),
  requestVerification: () => call<{ ok: boolean }>('requestVerification'),
  verifyEmail: (code: string) => call<{ ok: boolean }>('verifyEmail', code),
  invitations: () => call<Invitation[]>('invitations'),
  join: (org: string, code: string) => call<{ org_id: string; org_name: string; owner_email: string; owner_name: string }>('join', org, code),
  members: (org: string) => call<Member[]>('members', org),
  confirm: (org: string, emails: string[]) => call<{ done: number }>('confirm', org, JSON.stringify(emails)),
  cancelInvites: (org: string, emails: string[]) => call<{ done: number }>('cancelInvites', org, JSON.stringify(emails)),
  removeMember: (org: string, email: string) => call<{ ok: boolean }>('removeMember', org, email),
  groups: (org: string) => call<Group[]>('groups', org),
  createGroup: (org: string, name: string, priv: boolean, perm: string) => call<{ id: string; vault_id: string }>('createGroup', org, name, priv ? 'private' : '', perm),
  addGroupMembers: (org: string, group: string, emails: string[]) => call<{ done: number }>('addGroupMembers', org, group, JSON.stringify(emails)),
  removeGroupMember: (org: string, group: string, email: string) => call<{ ok: boolean }>('removeGroupMember', org, group, email),
  createVault: (org: string, name: string) => call<{ id: string; label: string }>('createVault', org, name),
  access: (vault: string) => call<Access[]>('access', vault),
  grant: (vault: string, kind: 'group' | 'user', ref: string, perm: string) => call<{ ok: boolean }>('grant', vault, kind, ref, perm),
  revoke: (vault: string, kind: string, ref: string) => call<{ ok: boolean }>('revoke', vault, kind, ref),
  share: (item: string, org: string, group: string, perm: string) => call<{ id: string; vault: string }>('share', item, org, group, perm),
  move: (item: string, vault: string) => call<{ id: string; vault: string }>('move', item, vault),
  // watch streams live changes to fn until the session locks.
  watch: async (fn: (c: Change) => void) => {
    await invokeCore(async (c) => { (c.watch as unknown as (cb: (s: string) => void) => void)((s: string) => fn(JSON.parse(s) as Change)); });
  },
};

async function callAny<T>(name: string, ...args: (string | number)[]): Promise<T> {
  return JSON.parse(await invokeCore((c) => (c[name] as unknown as (...a: (string | number)[]) => Promise<string>)(...args))) as T;
}

// message is what a person reads for an error from the core.
export function message(e: unknown): string {
  if (e instanceof CoreError) {
    switch (e.kind) {
      case 'wrong-password': return 'Wrong master password.';
      case 'weak-password': return 'The master password must have at least 10 characters.';
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
      case 'offline':
        window.dispatchEvent(new Event('coffer-offline'));
        return 'The server cannot be reached. Nothing is lost: your changes are still here; try again when it is back.';
    }
    return e.message;
  }
  if (e instanceof TypeError) return 'The server cannot be reached; retrying when you try again.';
  return String(e);
}
