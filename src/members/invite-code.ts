import { randomBytes } from 'node:crypto';

/**
 * Invite codes are typed by people reading them off a letter or a phone screen, so the alphabet
 * leaves out characters that look alike (0/O, 1/I/L) and U (Crockford's base32 does the same).
 */
export const inviteAlphabet = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 12 characters of a 30-letter alphabet: about 59 bits, far beyond guessing at a throttled pace. */
export const inviteCodeLength = 12;

const validCode = new RegExp(`^[${inviteAlphabet}]{${inviteCodeLength}}$`);

/** A new random invite code. */
export function newInviteCode(): string {
  let code = '';
  while (code.length < inviteCodeLength) {
    for (const byte of randomBytes(inviteCodeLength * 2)) {
      // Rejection sampling: bytes above the largest multiple of 30 would bias the first letters.
      if (byte >= 240) continue;
      code += inviteAlphabet[byte % inviteAlphabet.length] ?? '';
      if (code.length === inviteCodeLength) break;
    }
  }
  return code;
}

/**
 * What a person typed, in canonical form: case and separators ignored (codes are often read out
 * in groups, "ABCD-EFGH-JKMN"). Undefined when it cannot be a code at all.
 */
export function normalizeInviteCode(typed: string): string | undefined {
  const code = typed.toUpperCase().replace(/[\s_-]/g, '');
  return validCode.test(code) ? code : undefined;
}
