// core.ts's plumbing when the client core stops (issue 24, defect 1),
// against a stand-in for Go's wasm_exec.js: its run() settles when the
// program exits, as Go's does, and a call after that throws Go's own
// "Go program has already exited".
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type Core = typeof import('./core');

class FakeGo {
  static last: FakeGo;
  importObject = {};
  exited = false;
  exit: (code: number) => void = () => undefined;
  private ended!: () => void;
  constructor() { FakeGo.last = this; }
  run(): Promise<void> {
    const w = globalThis as unknown as { cofferCore: Record<string, (...a: unknown[]) => Promise<string>> };
    const guarded = (fn: (...a: unknown[]) => Promise<string>) => (...a: unknown[]) => {
      if (this.exited) throw new Error('Go program has already exited');
      return fn(...a);
    };
    w.cofferCore = {
      status: guarded(async () => JSON.stringify({ state: 'locked' })),
      // A call the core never answers: it was running when the core died.
      list: guarded(() => new Promise<string>(() => undefined)),
      watch: guarded(async () => ''),
    };
    window.dispatchEvent(new Event('coffer-core-ready'));
    return new Promise<void>((resolve) => { this.ended = resolve; });
  }
  // die does what Go's runtime does on a fatal error: writes it to
  // standard error, exits with code 2, and run() settles.
  die(words: string) {
    const fs = (globalThis as unknown as { fs: { writeSync(fd: number, b: Uint8Array): number } }).fs;
    fs.writeSync(2, new TextEncoder().encode(`${words}\n\ngoroutine 1 [select (no cases)]:\n`));
    this.exited = true;
    this.exit(2);
    this.ended();
  }
}

let core: Core;
const written: string[] = [];

beforeEach(async () => {
  vi.resetModules();
  const win = new EventTarget() as EventTarget & Record<string, unknown>;
  win.Go = FakeGo;
  vi.stubGlobal('window', win);
  vi.stubGlobal('addEventListener', win.addEventListener.bind(win));
  vi.stubGlobal('fs', { writeSync: (_fd: number, b: Uint8Array) => { written.push(new TextDecoder().decode(b)); return b.length; } });
  vi.stubGlobal('__CORE_WASM_INTEGRITY__', '');
  vi.stubGlobal('fetch', async () => new Response(''));
  vi.spyOn(WebAssembly, 'instantiateStreaming').mockResolvedValue({ instance: {} } as WebAssembly.WebAssemblyInstantiatedSource);
  core = await import('./core');
  // The bridge's functions live on window, as Go sets them.
  Object.defineProperty(win, 'cofferCore', { get: () => (globalThis as unknown as { cofferCore: unknown }).cofferCore });
});

afterEach(() => { vi.unstubAllGlobals(); vi.restoreAllMocks(); });

describe('a stopped client core', () => {
  it('tells onStopped once, with what Go said, and fails every call with kind "stopped"', async () => {
    expect((await core.core.status()).state).toBe('locked');
    const heard: string[] = [];
    core.onStopped((e) => heard.push(e));
    const pending = core.core.list(''); // in flight when the core dies
    FakeGo.last.die('fatal error: all goroutines are asleep - deadlock!');
    await expect(pending).rejects.toMatchObject({ kind: 'stopped' });
    await expect(core.core.status()).rejects.toMatchObject({ kind: 'stopped' });
    await expect(core.core.watch(() => undefined)).rejects.toMatchObject({ kind: 'stopped' });
    await Promise.resolve();
    expect(heard).toEqual(['fatal error: all goroutines are asleep - deadlock! (exit code 2)']);
    // A listener that comes later hears it at once; the first not again.
    const late = await new Promise<string>((resolve) => core.onStopped(resolve));
    expect(late).toBe(heard[0]);
    expect(heard.length).toBe(1);
    // What Go wrote still reaches the console (wasm_exec.js's writeSync).
    expect(written.join('')).toContain('fatal error: all goroutines are asleep');
  });

  it('turns "Go program has already exited" into kind "stopped" even before run() settles', async () => {
    expect((await core.core.status()).state).toBe('locked');
    const heard: string[] = [];
    core.onStopped((e) => heard.push(e));
    FakeGo.last.exited = true; // exited, and nothing said yet
    const err = await core.core.status().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(core.CoreError);
    expect(err).toMatchObject({ kind: 'stopped' });
    expect(String((err as Error).message)).not.toContain('Go program has already exited');
    await Promise.resolve();
    expect(heard.length).toBe(1);
  });

  it('removes a listener', async () => {
    await core.core.status();
    const heard: string[] = [];
    const off = core.onStopped((e) => heard.push(e));
    off();
    FakeGo.last.die('panic: something');
    await expect(core.core.status()).rejects.toMatchObject({ kind: 'stopped' });
    await Promise.resolve();
    expect(heard).toEqual([]);
  });
});

describe('message', () => {
  it('names whose keys were swapped', async () => {
    const { CoreError, message } = await import('./core');
    const m = message(new CoreError('SECURITY WARNING: … nothing was confirmed or shared (mallory@x.example)', 'key-mismatch'));
    expect(m).toContain('presents for mallory@x.example are not the keys they joined with');
    expect(m).toContain('Nobody was confirmed');
  });
  it('says a refused write is a permission, not a failure', async () => {
    const { CoreError, message } = await import('./core');
    const m = message(new CoreError('permission denied: you can only view this vault (the server refused with HTTP 403: view only)', 'forbidden'));
    expect(m.startsWith('Not allowed: you can only view this vault')).toBe(true);
  });
  it('says an organisation\'s two-factor requirement as a sentence', async () => {
    const { CoreError, message } = await import('./core');
    const m = message(new CoreError('an organisation you belong to requires two-factor log-in, so it stays on: leave that organisation, or ask its owner to stop requiring it, first', 'two-factor-required'));
    expect(m).toBe('An organisation you belong to requires two-factor log-in, so it stays on: leave that organisation, or ask its owner to stop requiring it, first.');
  });
});
