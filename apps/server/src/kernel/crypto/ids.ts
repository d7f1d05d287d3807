import { randomBytes } from 'node:crypto';

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
  const bytes = randomBytes(16);
  let random = '';
  for (let index = 0; index < 16; index++) random += ALPHABET[bytes[index] % 32];
  return `${prefix}_${time}${random}`;
}

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
