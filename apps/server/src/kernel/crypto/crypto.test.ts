import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openTestDatabase } from '../../testing/harness.ts';
import type { Database } from '../db/database.ts';
import { createVault, type Vault } from './envelope.ts';
import { newId, randomToken } from './ids.ts';
import { createTokenSigner } from './signing.ts';

const MASTER_KEY = randomBytes(32).toString('base64');
const OTHER_MASTER_KEY = randomBytes(32).toString('base64');
const ID_BODY = /^[0-9a-hjkmnp-tv-z]{26}$/; // Crockford base32, lower case

describe('newId', () => {
  it('is the prefix, an underscore and 26 Crockford base32 characters', () => {
    for (const prefix of ['org', 'ws', 'evt']) {
      const id = newId(prefix);
      expect(id.startsWith(`${prefix}_`)).toBe(true);
      expect(id.slice(prefix.length + 1)).toMatch(ID_BODY);
    }
  });

  it('sorts by creation time', () => {
    let time = Date.UTC(2024, 0, 1);
    const created: string[] = [];
    for (let index = 0; index < 200; index++) {
      // Steps from one millisecond to about nine hours, carrying into each of the lower time digits.
      time += 1 + Math.floor(Math.random() * 32 ** (1 + (index % 5)));
      created.push(newId('ws', time));
    }
    const shuffled = [...created].sort(() => Math.random() - 0.5);
    expect(shuffled.sort()).toEqual(created);
  });

  it('gives distinct ids within the same millisecond', () => {
    const now = Date.now();
    const ids = new Set(Array.from({ length: 1_000 }, () => newId('key', now)));
    expect(ids.size).toBe(1_000);
  });
});

describe('randomToken', () => {
  it('has the requested length, 40 by default', () => {
    expect(randomToken()).toHaveLength(40);
    expect(randomToken(8)).toHaveLength(8);
    expect(randomToken(200)).toHaveLength(200);
  });

  it('uses only base62 characters, and all of them', () => {
    const token = randomToken(20_000);
    expect(token).toMatch(/^[A-Za-z0-9]+$/);
    expect(new Set(token).size).toBe(62);
  });

  it('does not repeat', () => {
    const tokens = new Set(Array.from({ length: 1_000 }, () => randomToken()));
    expect(tokens.size).toBe(1_000);
  });
});

describe('envelope encryption', () => {
  let database: Database;
  let vault: Vault;
  const orgA = newId('org');
  const orgB = newId('org');

  beforeAll(async () => {
    database = await openTestDatabase();
    vault = createVault(database, MASTER_KEY);
  });
  afterAll(() => database?.close());

  const keyIdOf = (ciphertext: string) => ciphertext.split('.')[1];
  const tamper = (ciphertext: string) => {
    const [version, keyId, body] = ciphertext.split('.');
    const bytes = Buffer.from(body, 'base64');
    bytes[bytes.length - 1] ^= 0x01;
    return `${version}.${keyId}.${bytes.toString('base64')}`;
  };

  it('round-trips a secret without storing it in the clear', async () => {
    const secret = 'sk-live-ünïcødé-🔑';
    const ciphertext = await vault.encrypt(orgA, secret);
    expect(ciphertext).toMatch(/^v1\.dk_[0-9a-z]{26}\./);
    expect(ciphertext).not.toContain('sk-live');
    expect(await vault.decrypt(orgA, ciphertext)).toBe(secret);
    expect(await vault.decrypt(orgA, await vault.encrypt(orgA, ''))).toBe('');
  });

  it('seals the same secret differently each time, with the same data key', async () => {
    const first = await vault.encrypt(orgA, 'same secret');
    const second = await vault.encrypt(orgA, 'same secret');
    expect(first).not.toBe(second);
    expect(keyIdOf(first)).toBe(keyIdOf(second));
  });

  it('gives each organization its own data key', async () => {
    const forA = await vault.encrypt(orgA, 'shared secret');
    const forB = await vault.encrypt(orgB, 'shared secret');
    expect(keyIdOf(forA)).not.toBe(keyIdOf(forB));
    expect(await vault.decrypt(orgB, forB)).toBe('shared secret');
  });

  it("refuses to open one organization's ciphertext as another's", async () => {
    const forA = await vault.encrypt(orgA, 'belongs to A');
    await vault.encrypt(orgB, 'gives B a data key');
    // With A's data key in memory…
    await expect(vault.decrypt(orgB, forA)).rejects.toThrow();
    // …and in a process that has never seen it.
    await expect(createVault(database, MASTER_KEY).decrypt(orgB, forA)).rejects.toThrow();
  });

  it('refuses a tampered ciphertext', async () => {
    const ciphertext = await vault.encrypt(orgA, 'integrity matters');
    await expect(vault.decrypt(orgA, tamper(ciphertext))).rejects.toThrow();
    await expect(vault.decrypt(orgA, ciphertext.replace(/^v1\./, 'v2.'))).rejects.toThrow();
    await expect(vault.decrypt(orgA, 'not a ciphertext')).rejects.toThrow();
  });

  it('opens ciphertexts after a restart with the same master key only', async () => {
    const ciphertext = await vault.encrypt(orgA, 'survives restarts');
    expect(await createVault(database, MASTER_KEY).decrypt(orgA, ciphertext)).toBe('survives restarts');
    const wrongKey = createVault(database, OTHER_MASTER_KEY);
    expect(wrongKey.masterKeyId).not.toBe(vault.masterKeyId);
    await expect(wrongKey.decrypt(orgA, ciphertext)).rejects.toThrow();
  });

  it('refuses a master key that is not 32 bytes', () => {
    expect(() => createVault(database, randomBytes(16).toString('base64'))).toThrow();
  });
});

describe('token signer', () => {
  const signer = createTokenSigner(MASTER_KEY);

  it('verifies what it signed, with subject, claims and expiry', async () => {
    const before = Math.floor(Date.now() / 1000);
    const token = await signer.sign({ org: 'org_1', role: 'owner' }, 'usr_1', 900);
    const claims = await signer.verify(token);
    expect(claims).toMatchObject({ sub: 'usr_1', org: 'org_1', role: 'owner', iss: 'atrium' });
    expect(claims.exp - before).toBeGreaterThanOrEqual(900);
    expect(claims.exp - before).toBeLessThanOrEqual(901);
  });

  it('verifies across instances sharing the master key (every node)', async () => {
    const token = await signer.sign({}, 'usr_2', 60);
    expect((await createTokenSigner(MASTER_KEY).verify(token)).sub).toBe('usr_2');
  });

  it('refuses a token signed with another master key', async () => {
    const token = await createTokenSigner(OTHER_MASTER_KEY).sign({}, 'usr_3', 60);
    await expect(signer.verify(token)).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  });

  it('refuses a token whose claims were altered', async () => {
    const [header, , signature] = (await signer.sign({ role: 'viewer' }, 'usr_4', 60)).split('.');
    const forged = Buffer.from(JSON.stringify({ role: 'owner', sub: 'usr_4', iss: 'atrium', exp: 4_102_444_800 })).toString('base64url');
    await expect(signer.verify(`${header}.${forged}.${signature}`)).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
  });

  it('refuses a token from another issuer', async () => {
    const token = await createTokenSigner(MASTER_KEY, 'someone-else').sign({}, 'usr_5', 60);
    await expect(signer.verify(token)).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' });
  });

  it('refuses a token once it has expired', async () => {
    const token = await signer.sign({}, 'usr_6', 1);
    expect((await signer.verify(token)).sub).toBe('usr_6');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 2_000);
      await expect(signer.verify(token)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
    } finally {
      vi.useRealTimers();
    }
  });
});
