import { describe, expect, it } from 'vitest';
import { CoreError, message } from './core';

describe('message', () => {
  it('names whose keys were swapped', () => {
    const m = message(new CoreError('SECURITY WARNING: … nothing was confirmed or shared (mallory@x.example)', 'key-mismatch'));
    expect(m).toContain('presents for mallory@x.example are not the keys they joined with');
    expect(m).toContain('Nobody was confirmed');
  });
  it('says a refused write is a permission, not a failure', () => {
    const m = message(new CoreError('permission denied: you can only view this vault (the server refused with HTTP 403: view only)', 'forbidden'));
    expect(m.startsWith('Not allowed: you can only view this vault')).toBe(true);
  });
});
