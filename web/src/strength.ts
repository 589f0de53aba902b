// A master password's strength, for the meter on the sign-up screen. It
// estimates the guesses an attacker needs, roughly: the character classes
// used give an alphabet, the length an exponent; repeated and sequential
// runs and very common passwords count for little. It is a guide for a
// person choosing, not a policy: the client core's only rule is the
// minimum length (RULES.master_password_min, from client.Rules), and
// Argon2id makes each guess slow.
import { RULES } from './core/types.gen';

export const MIN_LENGTH = RULES.master_password_min;

const COMMON = new Set([
  'password', 'password1', 'password123', '123456789', '1234567890', 'qwertyuiop',
  'iloveyou', 'letmein123', 'welcome123', 'passw0rd', 'correcthorse', 'monkey1234',
]);

export interface Strength {
  bits: number;
  score: 0 | 1 | 2 | 3 | 4; // 0 too short … 4 strong
  label: string;
}

export function strength(pw: string): Strength {
  const chars = [...pw];
  if (chars.length < MIN_LENGTH) {
    return { bits: 0, score: 0, label: `Too short: at least ${MIN_LENGTH} characters` };
  }
  if (COMMON.has(pw.toLowerCase())) {
    return { bits: 10, score: 1, label: 'Weak: a very common password' };
  }
  let alphabet = 0;
  if (/[a-z]/.test(pw)) alphabet += 26;
  if (/[A-Z]/.test(pw)) alphabet += 26;
  if (/[0-9]/.test(pw)) alphabet += 10;
  if (/[^a-zA-Z0-9]/.test(pw)) alphabet += 33;
  // Each character counts fully only when it is not a repeat or the next
  // step of a run (aaaa, abcd, 1234).
  let effective = 0;
  for (let i = 0; i < chars.length; i++) {
    const prev = i > 0 ? chars[i - 1].codePointAt(0)! : -10;
    const cur = chars[i].codePointAt(0)!;
    effective += Math.abs(cur - prev) <= 1 ? 0.25 : 1;
  }
  const bits = Math.round(effective * Math.log2(Math.max(alphabet, 2)));
  const score: Strength['score'] = bits < 40 ? 1 : bits < 60 ? 2 : bits < 80 ? 3 : 4;
  const label = ['', 'Weak', 'Fair', 'Good', 'Strong'][score];
  return { bits, score, label: `${label} (about ${bits} bits)` };
}
