/**
 * Base64 and UTF-8 decoding by hand: the sandbox has neither `atob` nor `TextDecoder`.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUES = new Map([...ALPHABET].map((char, index) => [char, index]));

/**
 * Decodes base64 as the contents API sends it (lines of 60 characters, padded).
 *
 * @example
 * decodeUtf8(decodeBase64('aMOpbGxv\n')); // 'héllo'
 */
export function decodeBase64(text: string): Uint8Array {
  const clean = text.replace(/[\s=]/g, '');
  const bytes = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let length = 0;
  for (const char of clean) {
    const value = VALUES.get(char);
    if (value === undefined) throw new Error('the content is not valid base64');
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[length++] = (buffer >> bits) & 0xff;
    }
  }
  return bytes.subarray(0, length);
}

/** UTF-8 bytes as text; null when they are not valid UTF-8 or contain NUL (a binary file). */
export function decodeUtf8(bytes: Uint8Array): string | null {
  let text = '';
  let chunk: number[] = [];
  for (let index = 0; index < bytes.length; ) {
    const first = bytes[index];
    let code: number;
    let size: number;
    if (first === 0) return null;
    if (first < 0x80) [code, size] = [first, 1];
    else if (first >= 0xc2 && first < 0xe0) [code, size] = [first & 0x1f, 2];
    else if (first >= 0xe0 && first < 0xf0) [code, size] = [first & 0x0f, 3];
    else if (first >= 0xf0 && first < 0xf5) [code, size] = [first & 0x07, 4];
    else return null;
    if (index + size > bytes.length) return null;
    for (let next = 1; next < size; next++) {
      const byte = bytes[index + next];
      if ((byte & 0xc0) !== 0x80) return null;
      code = (code << 6) | (byte & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((size === 3 && code < 0x800) || (size === 4 && (code < 0x10000 || code > 0x10ffff)) || (code >= 0xd800 && code <= 0xdfff)) {
      return null;
    }
    chunk.push(code);
    if (chunk.length >= 4096) {
      text += String.fromCodePoint(...chunk);
      chunk = [];
    }
    index += size;
  }
  return text + String.fromCodePoint(...chunk);
}
