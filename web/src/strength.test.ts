import { describe, expect, it } from 'vitest';
import { strength } from './strength';

describe('strength', () => {
  it('refuses what the client refuses: under the minimum length', () => {
    expect(strength('short').score).toBe(0);
    expect(strength('123456789').score).toBe(0);
  });
  it('counts common passwords and runs for little', () => {
    expect(strength('password123').score).toBe(1);
    expect(strength('aaaaaaaaaaaaaaaa').score).toBe(1);
    expect(strength('abcdefghijklmnop').score).toBe(1);
  });
  it('grows with length and variety', () => {
    expect(strength('correct horse battery staple').score).toBe(4);
    expect(strength('Tr0ub4dor&3xq!').score).toBeGreaterThanOrEqual(3);
    expect(strength('kq7#Lm2!vX9@pR4z').bits).toBeGreaterThan(strength('kq7Lm2vX9pR4').bits);
  });
});
