import { describe, expect, it } from 'vitest';
import { CoreError, message } from '../core';
import { parseAddresses } from './addresses';

describe('parseAddresses', () => {
  it('takes lines, commas, semicolons, spaces and "Name <address>"', () => {
    const r = parseAddresses('Laura <Laura@PVY.example>\nintern@pvy.example, coordinator@pvy.example; max@pvy.example  fred@pvy.example\n\n');
    expect(r.emails).toEqual(['laura@pvy.example', 'intern@pvy.example', 'coordinator@pvy.example', 'max@pvy.example', 'fred@pvy.example']);
    expect(r.bad).toEqual([]);
  });
  it('names every address that is not one, and drops repeats', () => {
    const r = parseAddresses('a@b.example\nnot-an-address, a@b.example; x@y\n@nobody.example');
    expect(r.emails).toEqual(['a@b.example']);
    expect(r.bad).toEqual(['not-an-address', 'x@y', '@nobody.example']);
  });
});

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
