// Everything the bot persists about its Matrix account (crypto store, sync position, session,
// pending replies) is encrypted with keys derived from MATRIX_STORE_KEY before it reaches the
// database: a database dump alone must not yield the bot's Olm/Megolm keys or message bodies.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export interface StateCipher {
  encrypt(plain: Buffer): string;
  /** Throws when the data was encrypted with another key or tampered with. */
  decrypt(sealed: string): Buffer;
  encryptJson(value: unknown): string;
  decryptJson(sealed: string): unknown;
  /** A separate 32-byte key for the Rust crypto store's own encryption of each record. */
  readonly cryptoStoreKey: Uint8Array;
}

const version = 'v1';

export function createStateCipher(secret: string): StateCipher {
  const derive = (info: string) =>
    Buffer.from(hkdfSync('sha256', secret, 'counterpart-matrix-bot', info, 32));
  const key = derive('state-encryption');
  const cryptoStoreKey = new Uint8Array(derive('rust-crypto-store'));

  const encrypt = (plain: Buffer): string => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return `${version}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  };
  const decrypt = (sealed: string): Buffer => {
    const [prefix, encoded] = sealed.split('.', 2);
    if (prefix !== version || encoded === undefined) throw new Error('unknown state format');
    const raw = Buffer.from(encoded, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
  };

  return {
    encrypt,
    decrypt,
    encryptJson: (value) => encrypt(Buffer.from(JSON.stringify(value), 'utf8')),
    decryptJson: (sealed) => JSON.parse(decrypt(sealed).toString('utf8')) as unknown,
    cryptoStoreKey,
  };
}
