// fakeCore stands in for the client core (WebAssembly) in component tests:
//
//   vi.mock('../core', async (importOriginal) =>
//     (await import('../test/fakeCore')).fakeCore(await importOriginal()));
//
// Every core function is a mock that answers nothing (a promise that
// never settles) until a test says what it answers; CoreError, message and
// RULES stay the real ones, and onStopped is a mock too.
import { vi } from 'vitest';
import type * as CoreModule from '../core';

type CoreModuleT = typeof CoreModule;

export function fakeCore(actual: CoreModuleT): CoreModuleT {
  const pending = () => new Promise<never>(() => undefined);
  const core = Object.fromEntries(Object.keys(actual.core).map((k) => [k, vi.fn(pending)])) as unknown as CoreModuleT['core'];
  return {
    ...actual,
    core,
    start: vi.fn(pending),
    onStopped: vi.fn(() => () => true),
  };
}
