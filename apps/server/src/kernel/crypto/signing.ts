import { createHmac, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

export interface TokenSigner {
  sign(claims: Record<string, unknown>, subject: string, ttlSeconds: number): Promise<string>;
  verify(token: string): Promise<Record<string, unknown> & { sub: string; exp: number }>;
}

/**
 * EdDSA (Ed25519) access tokens. The key pair is derived from the master key (HMAC as the KDF),
 * so every node signs and verifies alike without a key table; rotating the master key rotates it.
 */
export function createTokenSigner(masterKeyBase64: string, issuer = 'atrium'): TokenSigner {
  const seed = createHmac('sha256', Buffer.from(masterKeyBase64, 'base64')).update('atrium:jwt-signing:v1').digest();
  // PKCS#8 wrapper for a raw Ed25519 seed.
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const privateKey: KeyObject = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const publicKey: KeyObject = createPublicKey(privateKey);
  return {
    sign(claims, subject, ttlSeconds) {
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
        .setSubject(subject)
        .setIssuer(issuer)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(privateKey);
    },
    async verify(token) {
      const { payload } = await jwtVerify(token, publicKey, { issuer, algorithms: ['EdDSA'] });
      return payload as Record<string, unknown> & { sub: string; exp: number };
    },
  };
}
