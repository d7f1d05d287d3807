import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal.ts';

const PREFIX = 'atr_internal_';

/**
 * Credentials for calls the platform makes to its own API in-process (`http.inject`), such as a
 * plugin's `llm.chat` going through the gateway with all its limits and metering. A token exists
 * only in this process's memory for the length of one call; it is never sent over a network.
 *
 * @example
 * const token = internal.mint(principal);
 * try { await http.inject({ url: '/v1/chat/completions', headers: { authorization: `Bearer ${token}` }, … }) }
 * finally { internal.revoke(token) }
 */
export function createInternalPrincipals() {
  const live = new Map<string, Principal>();
  return {
    mint(principal: Principal): string {
      const token = `${PREFIX}${randomBytes(24).toString('base64url')}`;
      live.set(token, principal);
      return token;
    },
    revoke(token: string) {
      live.delete(token);
    },
    /** The principal of a request carrying a live internal token; undefined for any other request. */
    resolve(request: FastifyRequest): Principal | undefined {
      const header = request.headers.authorization;
      if (!header?.startsWith(`Bearer ${PREFIX}`)) return undefined;
      return live.get(header.slice('Bearer '.length));
    },
  };
}

export type InternalPrincipals = ReturnType<typeof createInternalPrincipals>;
