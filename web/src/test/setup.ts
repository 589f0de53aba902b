// Set up for the component tests (vite.config.ts names this file): each
// test starts on a clean page — nothing rendered, at /, no mocks' answers
// or localStorage left from the test before.
import { cleanup } from '@testing-library/preact';
import { afterEach, vi } from 'vitest';

afterEach(() => {
  cleanup();
  vi.resetAllMocks();
  history.replaceState(null, '', '/');
  localStorage.clear();
});
