import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { withTenant } from '../db/tenant.ts';
import { dataKeys } from '../schema.ts';
import { newId } from './ids.ts';

function seal(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

function open(key: Buffer, sealed: string, aad: string): Buffer {
  const raw = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
}

export interface Vault {
  /** Encrypts with the organisation's data key: `v1.<keyId>.<base64>`. */
  encrypt(orgId: string, plaintext: string): Promise<string>;
  decrypt(orgId: string, ciphertext: string): Promise<string>;
  /** Identifies the master key without revealing it (first 8 bytes of its SHA-256). */
  readonly masterKeyId: string;
}

/**
 * Envelope encryption: each organisation gets a random data key, stored wrapped (AES-256-GCM) by
 * the master key; secrets are sealed with the data key. The organisation id is authenticated data,
 * so a ciphertext copied into another tenant fails to open. Unwrapped keys are cached in memory.
 *
 * @example
 * const sealed = await vault.encrypt(orgId, 'sk-live-…');
 */
export function createVault(database: Database, masterKeyBase64: string): Vault {
  const masterKey = Buffer.from(masterKeyBase64, 'base64');
  if (masterKey.length !== 32) throw new Error('The master key must be 32 bytes.');
  const masterKeyId = createHash('sha256').update(masterKey).digest('hex').slice(0, 16);
  const cache = new Map<string, Buffer>();

  async function activeKey(orgId: string): Promise<{ id: string; key: Buffer }> {
    return withTenant(database, orgId, async (tx) => {
      const [row] = await tx
        .select()
        .from(dataKeys)
        .where(and(eq(dataKeys.orgId, orgId), isNull(dataKeys.retiredAt)))
        .limit(1);
      if (row) return { id: row.id, key: unwrap(row.id, orgId, row.wrappedKey) };
      const id = newId('dk');
      const key = randomBytes(32);
      await tx.insert(dataKeys).values({ id, orgId, wrappedKey: seal(masterKey, key, `${orgId}:${id}`), masterKeyId });
      cache.set(id, key);
      return { id, key };
    });
  }

  function unwrap(id: string, orgId: string, wrapped: string): Buffer {
    let key = cache.get(id);
    if (!key) {
      key = open(masterKey, wrapped, `${orgId}:${id}`);
      cache.set(id, key);
    }
    return key;
  }

  return {
    masterKeyId,
    async encrypt(orgId, plaintext) {
      const { id, key } = await activeKey(orgId);
      return `v1.${id}.${seal(key, Buffer.from(plaintext, 'utf8'), orgId)}`;
    },
    async decrypt(orgId, ciphertext) {
      const [version, id, body] = ciphertext.split('.');
      if (version !== 'v1' || !id || !body) throw new Error('Unrecognised ciphertext.');
      let key = cache.get(id);
      if (!key) {
        const [row] = await withTenant(database, orgId, (tx) => tx.select().from(dataKeys).where(eq(dataKeys.id, id)));
        if (!row) throw new Error('Unknown data key.');
        key = unwrap(id, orgId, row.wrappedKey);
      }
      return open(key, body, orgId).toString('utf8');
    },
  };
}
