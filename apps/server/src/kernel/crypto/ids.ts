import { randomBytes, randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

/**
 * A prefixed, time-sortable id: `org_01jc…` — 10 characters of milliseconds then 16 random
 * characters (80 bits). Sorting ids sorts by creation time, which cursor pagination relies on.
 *
 * @example newId('ws') // 'ws_01jcz3v9m4q8w2f7k1x5n6b0ta'
 */
export function newId(prefix: string, now = Date.now()): string {
  let time = '';
  let value = now;
  for (let index = 0; index < 10; index++) {
    time = ALPHABET[value % 32] + time;
    value = Math.floor(value / 32);
  }
  if (poolOffset + 16 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  let random = '';
  for (let index = 0; index < 16; index++) random += ALPHABET[pool[poolOffset + index] % 32];
  poolOffset += 16;
  return `${prefix}_${time}${random}`;
}

// Ids draw their random part from a pool refilled 256 ids at a time: one system call, not one per id.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random secret of `length` base62 characters (rejection-sampled, so uniform). */
export function randomToken(length = 40): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += TOKEN_ALPHABET[byte % 62];
    }
  }
  return out;
}
