import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

export interface Sealer {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

/**
 * AES-256-GCM under a key derived from the master key for one `purpose`, for data the platform
 * itself keeps briefly and must not hold in clear (stored responses that contain secrets).
 *
 * @example
 * const sealer = createSealer(masterKey, 'idempotency');
 * sealer.open(sealer.seal('{"key":"atr_live_…"}'));
 */
export function createSealer(masterKeyBase64: string, purpose: string): Sealer {
  const key = createHmac('sha256', Buffer.from(masterKeyBase64, 'base64')).update(`atrium:${purpose}:v1`).digest();
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    open(sealed) {
      const raw = Buffer.from(sealed, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}
