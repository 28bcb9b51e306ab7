import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Encrypts consultation texts at rest with AES-256-GCM. Each ciphertext is bound to the record it
 * belongs to (`context`, used as additional authenticated data), so a body copied onto another
 * consultation does not decrypt.
 */
export interface BodyCipher {
  encrypt(plaintext: string, context: string): string;
  /** Undefined when the ciphertext is damaged or belongs elsewhere (never throws on bad data). */
  decrypt(ciphertext: string, context: string): string | undefined;
}

const ivBytes = 12;
const tagBytes = 16;

export function createBodyCipher(key: Buffer): BodyCipher {
  if (key.length !== 32) throw new Error('consultation body key must be 32 bytes');
  return {
    encrypt(plaintext, context) {
      const iv = randomBytes(ivBytes);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    decrypt(ciphertext, context) {
      const raw = Buffer.from(ciphertext, 'base64');
      if (raw.length < ivBytes + tagBytes) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, ivBytes));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(raw.subarray(ivBytes, ivBytes + tagBytes));
        return Buffer.concat([decipher.update(raw.subarray(ivBytes + tagBytes)), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * The configured key, or one generated once into the data directory. A generated key suits a
 * single process (the embedded default); replicas must share CONSULTATION_BODY_KEY, or one cannot
 * read what another stored.
 */
export function loadBodyKey(
  configured: Buffer | undefined,
  dataDir: string,
): { key: Buffer; generated: boolean; path?: string } {
  if (configured !== undefined) return { key: configured, generated: false };
  mkdirSync(dataDir, { recursive: true });
  const path = resolve(dataDir, 'consultation-body.key');
  try {
    // 'wx' fails when the file exists, so two processes starting together keep the first key.
    writeFileSync(path, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  return { key, generated: true, path };
}
