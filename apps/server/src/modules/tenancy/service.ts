import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { newId } from '../../kernel/crypto/ids.ts';
import type { Tx } from '../../kernel/db/database.ts';
import { withTenant } from '../../kernel/db/tenant.ts';
import { ConflictError, NotFoundError, pgErrorCode } from '../../kernel/errors.ts';
import type { EventActor } from '../../kernel/events/events.ts';
import type { Role } from '../../kernel/http/permissions.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { memberships, organizations, workspaces } from './schema.ts';

export type OrganizationRow = typeof organizations.$inferSelect;
export type WorkspaceRow = typeof workspaces.$inferSelect;

/** `Acme Corp!` → `acme-corp` */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return slug || 'workspace';
}

/** Organisations, workspaces and who belongs where. Invitations and members live in members.ts. */
export function createOrganizationsService(kernel: Kernel) {
  const { database, events } = kernel;
  // The /me read, prepared once per connection: memberships ⋈ organizations ⟕ workspaces.
  const membershipsOfStatement = database.db
    .select({ organization: organizations, role: memberships.role, workspace: workspaces })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .leftJoin(workspaces, eq(workspaces.orgId, memberships.orgId))
    .where(eq(memberships.userId, sql.placeholder('userId')))
    .orderBy(asc(memberships.createdAt), asc(memberships.orgId), asc(workspaces.id))
    .prepare('tenancy_memberships_of');

  /** Inside the new organisation's tenant transaction: the organisation, its first workspace, its owner. */
  async function provision(tx: Tx, input: { orgId: string; name: string; userId: string }, actor: EventActor) {
    const [organization] = await tx
      .insert(organizations)
      .values({ id: input.orgId, name: input.name, slug: slugify(input.name), createdBy: input.userId })
      .returning();
    const [workspace] = await tx
      .insert(workspaces)
      .values({ id: newId('ws'), orgId: input.orgId, name: 'Default', slug: 'default', description: 'Created with the organization' })
      .returning();
    await tx.insert(memberships).values({ id: newId('mem'), orgId: input.orgId, userId: input.userId, role: 'owner' });
    await events.emit(tx, {
      type: 'organization.created',
      orgId: input.orgId,
      actor,
      payload: { organization_id: input.orgId, name: input.name },
    });
    await events.emit(tx, {
      type: 'workspace.created',
      orgId: input.orgId,
      actor,
      payload: { workspace_id: workspace.id, name: workspace.name },
    });
    return { organization, workspace };
  }

  return {
    provision,

    /** The caller's role in an organisation, or null when not a member. */
    async roleOf(orgId: string, userId: string): Promise<Role | null> {
      const [row] = await withTenant(database, orgId, (tx) =>
        tx
          .select({ role: memberships.role })
          .from(memberships)
          .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId))),
      );
      return (row?.role as Role | undefined) ?? null;
    },

    /**
     * Every organisation a user belongs to, with its workspaces. System context: this is the one
     * view that spans tenants, and it is keyed by the user, never by tenant input.
     */
    async membershipsOf(userId: string) {
      const rows = await membershipsOfStatement.execute({ userId });
      const byOrg = new Map<string, { organization: OrganizationRow; role: Role; workspaces: WorkspaceRow[] }>();
      for (const row of rows) {
        let entry = byOrg.get(row.organization.id);
        if (!entry) {
          entry = { organization: row.organization, role: row.role as Role, workspaces: [] };
          byOrg.set(row.organization.id, entry);
        }
        if (row.workspace) entry.workspaces.push(row.workspace);
      }
      return [...byOrg.values()];
    },

    async getOrganization(orgId: string) {
      const [row] = await withTenant(database, orgId, (tx) => tx.select().from(organizations).where(eq(organizations.id, orgId)));
      if (!row) throw new NotFoundError('Organization');
      return row;
    },

    async updateOrganization(orgId: string, patch: { name: string }, actor: EventActor) {
      return withTenant(database, orgId, async (tx) => {
        const [row] = await tx
          .update(organizations)
          .set({ name: patch.name, updatedAt: kernel.clock() })
          .where(eq(organizations.id, orgId))
          .returning();
        if (!row) throw new NotFoundError('Organization');
        await events.emit(tx, { type: 'organization.updated', orgId, actor, payload: { organization_id: orgId, name: patch.name } });
        return row;
      });
    },

    async listWorkspaces(orgId: string, page: { limit: number; cursor?: string }) {
      const rows = await withTenant(database, orgId, (tx) =>
        tx
          .select()
          .from(workspaces)
          .where(page.cursor ? and(eq(workspaces.orgId, orgId), gt(workspaces.id, page.cursor)) : eq(workspaces.orgId, orgId))
          .orderBy(asc(workspaces.id))
          .limit(page.limit + 1),
      );
      const more = rows.length > page.limit;
      const data = more ? rows.slice(0, page.limit) : rows;
      return { data, nextCursor: more ? data[data.length - 1].id : null };
    },

    async getWorkspace(orgId: string, id: string, tx?: Tx) {
      const query = (handle: Tx) =>
        handle
          .select()
          .from(workspaces)
          .where(and(eq(workspaces.orgId, orgId), eq(workspaces.id, id)));
      const [row] = tx ? await query(tx) : await withTenant(database, orgId, query);
      if (!row) throw new NotFoundError('Workspace');
      return row;
    },

    async createWorkspace(orgId: string, input: { name: string; description?: string }, actor: EventActor) {
      return withTenant(database, orgId, async (tx) => {
        const base = slugify(input.name);
        const taken = new Set(
          (await tx.select({ slug: workspaces.slug }).from(workspaces).where(eq(workspaces.orgId, orgId))).map((row) => row.slug),
        );
        let slug = base;
        for (let suffix = 2; taken.has(slug); suffix++) slug = `${base}-${suffix}`;
        const [row] = await tx
          .insert(workspaces)
          .values({ id: newId('ws'), orgId, name: input.name, slug, description: input.description ?? null })
          .returning();
        await events.emit(tx, { type: 'workspace.created', orgId, actor, payload: { workspace_id: row.id, name: row.name } });
        return row;
      });
    },

    async updateWorkspace(orgId: string, id: string, patch: { name?: string; description?: string | null }, actor: EventActor) {
      return withTenant(database, orgId, async (tx) => {
        const [row] = await tx
          .update(workspaces)
          .set({ ...patch, updatedAt: kernel.clock() })
          .where(and(eq(workspaces.orgId, orgId), eq(workspaces.id, id)))
          .returning();
        if (!row) throw new NotFoundError('Workspace');
        await events.emit(tx, { type: 'workspace.updated', orgId, actor, payload: { workspace_id: id, changes: patch } });
        return row;
      });
    },

    async deleteWorkspace(orgId: string, id: string, actor: EventActor) {
      await withTenant(database, orgId, async (tx) => {
        const all = await tx.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.orgId, orgId)).for('update');
        if (!all.some((row) => row.id === id)) throw new NotFoundError('Workspace');
        if (all.length === 1) throw new ConflictError('An organization keeps at least one workspace.', 'last_workspace');
        try {
          await tx.delete(workspaces).where(and(eq(workspaces.orgId, orgId), eq(workspaces.id, id)));
        } catch (error) {
          if (pgErrorCode(error) === '23503') throw new ConflictError('The workspace still has resources.', 'workspace_in_use');
          throw error;
        }
        await events.emit(tx, { type: 'workspace.deleted', orgId, actor, payload: { workspace_id: id } });
      });
    },
  };
}

export type OrganizationsService = ReturnType<typeof createOrganizationsService>;
