/** The built-in roles, most to least powerful. Enterprise custom roles will extend this. */
export const ROLES = ['owner', 'admin', 'developer', 'member', 'viewer', 'billing'] as const;
export type Role = (typeof ROLES)[number];

export interface PermissionDefinition {
  id: string;
  description: string;
  roles: readonly Role[];
  /** Held by no organisation role, not even the owner: granted to platform operators only. */
  platform?: boolean;
}

/**
 * Every permission a module defines, with the roles granted it. Routes name one of these; the
 * roles × routes test enumerates them.
 *
 * @example
 * permissions.define({ id: 'workspaces:write', description: 'Create, rename and delete workspaces', roles: ['owner', 'admin'] });
 */
export class PermissionRegistry {
  readonly #definitions = new Map<string, PermissionDefinition>();
  readonly #byRole = new Map<Role, Set<string>>(ROLES.map((role) => [role, new Set<string>()]));

  define(...definitions: PermissionDefinition[]): void {
    for (const definition of definitions) {
      if (this.#definitions.has(definition.id)) throw new Error(`Permission ${definition.id} defined twice.`);
      this.#definitions.set(definition.id, definition);
      if (definition.platform) continue;
      // The owner holds every organisation permission.
      for (const role of new Set<Role>(['owner', ...definition.roles])) this.#byRole.get(role)?.add(definition.id);
    }
  }

  has(id: string): boolean {
    return this.#definitions.has(id);
  }

  list(): PermissionDefinition[] {
    return [...this.#definitions.values()];
  }

  /** The permissions of a role; an unknown role has none. */
  of(role: string): ReadonlySet<string> {
    return this.#byRole.get(role as Role) ?? new Set();
  }
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
