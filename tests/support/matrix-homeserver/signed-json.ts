// Signed JSON as the Matrix spec defines it (appendices, "Signing JSON"): the signature covers the
// canonical JSON of the object without `signatures` and `unsigned`; keys are ed25519, public keys
// and signatures unpadded base64.
import { createPublicKey, verify } from 'node:crypto';
import type { JsonObject } from './homeserver-state.ts';

/** Canonical JSON: object keys sorted by code point, no insignificant whitespace, UTF-8 as is. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as JsonObject)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The object as signed: without `signatures` and `unsigned`. */
export function signedPart(object: JsonObject): JsonObject {
  const { signatures: _signatures, unsigned: _unsigned, ...rest } = object;
  return rest;
}

const fromUnpaddedBase64 = (text: string): Buffer => Buffer.from(text, 'base64');

/** Does `object` carry a valid signature by `signer`'s key `keyId` (e.g. "ed25519:DEVICE") with `publicKey`? */
export function hasValidSignature(
  object: JsonObject,
  signer: string,
  keyId: string,
  publicKey: string,
): boolean {
  const signatures = object.signatures as Record<string, Record<string, unknown> | undefined> | undefined;
  const signature = signatures?.[signer]?.[keyId];
  if (typeof signature !== 'string' || !keyId.startsWith('ed25519:')) return false;
  return verifyEd25519(canonicalJson(signedPart(object)), signature, publicKey);
}

export function verifyEd25519(message: string, signature: string, publicKey: string): boolean {
  const raw = fromUnpaddedBase64(publicKey);
  const bytes = fromUnpaddedBase64(signature);
  if (raw.length !== 32 || bytes.length !== 64) return false;
  try {
    const key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
      format: 'jwk',
    });
    return verify(null, Buffer.from(message, 'utf8'), key, bytes);
  } catch {
    return false;
  }
}
