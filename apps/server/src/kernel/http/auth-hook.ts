import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuthenticationError, PermissionError } from '../errors.ts';
import type { PermissionRegistry } from './permissions.ts';
import type { PrincipalResolver } from './principal.ts';

/** A route under permission control, as the roles × routes and isolation tests enumerate them. */
export interface RouteEntry {
  method: string;
  url: string;
  permission: string;
  principals: Array<'user' | 'api_key'>;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeCatalog: RouteEntry[];
  }
}

/**
 * Resolves the principal for every route that declares a permission, then enforces it before the
 * body is validated: a caller without the permission learns nothing about the request shape.
 * Routes under `/api/` must declare a permission; registering one without fails at startup.
 */
export function installAuthHook(app: FastifyInstance, options: { resolve: PrincipalResolver; permissions: PermissionRegistry }) {
  app.decorateRequest('principal', null);
  const catalog: RouteEntry[] = [];
  app.decorate('routeCatalog', catalog);

  app.addHook('onRoute', function requirePermission(route) {
    const permission = route.config?.permission;
    if (route.url.startsWith('/api/v1/') && route.url !== '/api/v1/openapi.json' && permission === undefined) {
      throw new Error(`Route ${route.method} ${route.url} declares no permission.`);
    }
    if (permission !== undefined && permission !== 'public' && permission !== 'authenticated' && !options.permissions.has(permission)) {
      throw new Error(`Route ${route.method} ${route.url} names the undefined permission '${permission}'.`);
    }
    if (permission === undefined) return;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      catalog.push({ method, url: route.url, permission, principals: route.config?.principals ?? ['user', 'api_key'] });
    }
  });

  app.addHook('onRequest', async function authenticate(request: FastifyRequest) {
    const config = request.routeOptions.config;
    const permission = config?.permission;
    if (permission === undefined) return;
    if (permission === 'public') {
      // Public routes ignore bad credentials rather than refusing a valid anonymous call.
      request.principal = await options.resolve(request).catch(() => null);
      return;
    }
    const principal = await options.resolve(request);
    if (!principal) throw new AuthenticationError();
    request.principal = principal;
    if (config.principals && !config.principals.includes(principal.type)) {
      throw new PermissionError(
        `This endpoint is not available to ${principal.type === 'api_key' ? 'API keys' : 'user sessions'}.`,
        'principal_not_allowed',
      );
    }
    if (permission !== 'authenticated' && !principal.permissions.has(permission)) {
      throw new PermissionError(`This action requires the '${permission}' permission.`, 'missing_permission');
    }
  });
}

/** The principal of an authenticated route (the hook guarantees it). */
export function principalOf(request: FastifyRequest) {
  if (!request.principal) throw new AuthenticationError();
  return request.principal;
}
