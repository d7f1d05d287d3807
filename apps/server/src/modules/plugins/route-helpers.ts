import { ErrorEnvelope } from '@atrium/contracts';
import type { FastifyRequest } from 'fastify';
import { NotFoundError, ValidationError } from '../../kernel/errors.ts';
import type { EventActor } from '../../kernel/events/events.ts';
import { principalOf } from '../../kernel/http/auth-hook.ts';

/** What the plugin, capability and MCP routes share: their error answers, the actor, the workspace. */

export const errors = {
  400: ErrorEnvelope,
  401: ErrorEnvelope,
  402: ErrorEnvelope,
  403: ErrorEnvelope,
  404: ErrorEnvelope,
  409: ErrorEnvelope,
};

export const actorOf = (request: FastifyRequest): EventActor => {
  const principal = principalOf(request);
  return { type: principal.type, id: principal.id };
};

/**
 * The workspace a request acts in: an API key's own workspace; for a signed-in user the
 * `workspace_id` given, or the organization's only workspace.
 */
export type WorkspaceResolver = (request: FastifyRequest, given: string | undefined, param?: string) => Promise<string>;

export function createWorkspaceResolver(deps: {
  workspaceExists(orgId: string, workspaceId: string): Promise<void>;
  onlyWorkspace(orgId: string): Promise<string | null>;
}): WorkspaceResolver {
  return async (request, given, param = 'workspace_id') => {
    const principal = principalOf(request);
    if (principal.workspaceId) {
      if (given && given !== principal.workspaceId) throw new NotFoundError('Workspace');
      return principal.workspaceId;
    }
    if (given) {
      await deps.workspaceExists(principal.orgId, given);
      return given;
    }
    const only = await deps.onlyWorkspace(principal.orgId);
    if (!only) throw new ValidationError(`${param} is required: this organization has several workspaces.`, param);
    return only;
  };
}
