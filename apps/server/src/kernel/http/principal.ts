import type { FastifyRequest } from 'fastify';
import type { Role } from './permissions.ts';

/** Who is calling: a signed-in user (session) or an API key, always within one organisation. */
export interface Principal {
  type: 'user' | 'api_key';
  /** The user id, or for a key the key id. */
  id: string;
  userId: string;
  orgId: string;
  role: Role;
  permissions: ReadonlySet<string>;
  /** The key's workspace (API keys only). */
  workspaceId?: string;
  /** The sign-in (refresh token family) a session belongs to. */
  sessionId?: string;
}

/**
 * What a route requires: `public` (anyone), `authenticated` (any principal, no permission) or a
 * permission id. Every `/api/v1` route must declare one.
 */
export type RoutePermission = 'public' | 'authenticated' | (string & {});

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: RoutePermission;
    /** Principal types allowed (default both). */
    principals?: Array<Principal['type']>;
    /** False: the route ignores `Idempotency-Key` (streaming answers cannot be stored and replayed). */
    idempotency?: boolean;
    /** False: no request context (id, IP, user agent) for events emitted during the request. */
    requestContext?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Resolves credentials (bearer token or cookie) to a principal; throws AuthenticationError if invalid. */
export type PrincipalResolver = (request: FastifyRequest) => Promise<Principal | null>;
