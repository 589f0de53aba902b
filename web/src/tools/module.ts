// The tools module (cmd/coffer-tools, docs/web.md): the other tools' file
// formats and Coffer's password-protected export, a WebAssembly module of
// its own that the first load does not carry. Tools → Import and Export
// load it once, fetched with the integrity this build names (like the
// client core), so a server cannot hand the page other code. It holds no
// key and no session: it turns a file into the Coffer JSON document the
// core imports, and the core's export into the chosen format.
import type { Detected } from '../core';
import { CoreError } from '../core';

interface Tools {
  detect(bytes: Uint8Array): Promise<string>;
  toCoffer(bytes: Uint8Array, format: string, mapping: string, password: string): Promise<Uint8Array>;
  fromCoffer(doc: Uint8Array, format: string, password: string): Promise<Uint8Array>;
}

declare global {
  interface Window { cofferTools?: Tools }
}

let loading: Promise<Tools> | undefined;
let stopped = false;

async function fetchTools(): Promise<Response> {
  const integrity = __TOOLS_WASM_INTEGRITY__;
  try {
    return await fetch('/tools.wasm', { integrity });
  } catch {
    try {
      return await fetch('/tools.wasm', { integrity, cache: 'reload' });
    } catch {
      throw new CoreError("Coffer's file tools did not load: what the server sent is not this page's own (its SHA-384 differs), or nothing came. Reload to try again.", 'tools-refused');
    }
  }
}

// load starts the tools module once; a failed load is tried again at the
// next call.
function load(): Promise<Tools> {
  loading ??= (async () => {
    if (typeof window.Go !== 'function') throw new CoreError("Go's wasm_exec.js did not run; Coffer's file tools cannot start.", 'tools-refused');
    const go = new window.Go();
    const ready = new Promise<void>((resolve) => window.addEventListener('coffer-tools-ready', () => resolve(), { once: true }));
    const { instance } = await WebAssembly.instantiateStreaming(fetchTools(), go.importObject);
    void go.run(instance).finally(() => { stopped = true; loading = undefined; });
    await ready;
    return window.cofferTools!;
  })();
  loading.catch(() => { loading = undefined; });
  return loading;
}

async function run<R>(fn: (t: Tools) => Promise<R>): Promise<R> {
  const t = await load();
  try {
    return await fn(t);
  } catch (e) {
    const err = e as Error & { kind?: string };
    if (stopped) throw new CoreError("Coffer's file tools stopped; try again.", 'tools-stopped');
    throw new CoreError(String(err?.message ?? e), err?.kind ?? 'error');
  }
}

export const tools = {
  // preload fetches and starts the module (the screens call it on opening).
  preload: () => load().then(() => undefined),
  detect: async (bytes: Uint8Array) => JSON.parse(await run((t) => t.detect(bytes))) as Detected,
  // toCoffer reads a file as format ('' detects it): mapping maps a
  // generic CSV's fields to its columns; password is the file's own.
  toCoffer: (bytes: Uint8Array, format: string, mapping: Record<string, string> | null, password: string) =>
    run((t) => t.toCoffer(bytes, format, mapping ? JSON.stringify(mapping) : '', password)),
  fromCoffer: (doc: Uint8Array, format: string, password: string) => run((t) => t.fromCoffer(doc, format, password)),
};
