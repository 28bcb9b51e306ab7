import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Tokens and codes are stored as SHA-256: they are long random values, so no slow KDF is needed. */
// One-shot `hash`: every authenticated request hashes its token, and a Hash object per call costs
// several times the digest of a short string.
export const hashSecret = (secret: string): string => hash('sha256', secret, 'hex');

/** A new API token: 32 random bytes, prefixed so a leaked one is recognisable in a scan. */
export const newApiToken = (): string => `cpt_${randomBytes(32).toString('base64url')}`;

export const newId = (): string => crypto.randomUUID();

/** Compares two strings without leaking, through timing, where they differ. */
// One-shot digests, as in hashSecret: every messenger webhook update is checked here.
export function constantTimeEqual(a: string, b: string): boolean {
  const left = hash('sha256', a, 'buffer');
  const right = hash('sha256', b, 'buffer');
  return timingSafeEqual(left, right) && a.length === b.length;
}
