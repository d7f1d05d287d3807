import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import { hashSecret } from '../../kernel/crypto/hash.ts';
import { newId, randomToken } from '../../kernel/crypto/ids.ts';
import { asSystem, withTenant } from '../../kernel/db/tenant.ts';
import { ConflictError, NotFoundError, PermissionError } from '../../kernel/errors.ts';
import type { EventActor } from '../../kernel/events/events.ts';
import type { Role } from '../../kernel/http/permissions.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { Notifications } from '../notifications/service.ts';
import { invitations, memberships, organizations } from './schema.ts';

/** What tenancy needs to know about people; identity provides it. */
export interface UserDirectory {
  usersByIds(ids: string[]): Promise<Map<string, { id: string; email: string; name: string }>>;
  userIdByEmail(email: string): Promise<string | null>;
}

export interface Caller {
  userId: string;
  role: Role;
  actor: EventActor;
}

/** Only an owner may grant or take away ownership. */
function assertMayAssign(caller: Caller, from: Role | null, to: Role) {
  if ((to === 'owner' || from === 'owner') && caller.role !== 'owner') {
    throw new PermissionError('Only an owner can grant or remove the owner role.', 'owner_required');
  }
}

/** Members and invitations. The last owner can neither leave nor be demoted nor removed. */
export function createMembersService(kernel: Kernel, deps: { users: () => UserDirectory; notifications: Notifications }) {
  const { database, events, config } = kernel;

  async function ownerCount(tx: Parameters<Parameters<typeof withTenant>[2]>[0], orgId: string) {
    const owners = await tx
      .select({ id: memberships.id })
      .from(memberships)
      .where(and(eq(memberships.orgId, orgId), eq(memberships.role, 'owner')))
      .for('update');
    return owners.length;
  }

  return {
    async list(orgId: string) {
      const rows = await withTenant(database, orgId, (tx) =>
        tx.select().from(memberships).where(eq(memberships.orgId, orgId)).orderBy(asc(memberships.createdAt)),
      );
      const users = await deps.users().usersByIds(rows.map((row) => row.userId));
      return rows.map((row) => ({ ...row, user: users.get(row.userId) ?? { id: row.userId, email: '', name: '' } }));
    },

    async changeRole(orgId: string, membershipId: string, role: Role, caller: Caller) {
      return withTenant(database, orgId, async (tx) => {
        const [member] = await tx
          .select()
          .from(memberships)
          .where(and(eq(memberships.orgId, orgId), eq(memberships.id, membershipId)));
        if (!member) throw new NotFoundError('Member');
        assertMayAssign(caller, member.role as Role, role);
        if (member.role === 'owner' && role !== 'owner' && (await ownerCount(tx, orgId)) <= 1) {
          throw new ConflictError('The last owner cannot be demoted; make someone else owner first.', 'last_owner', 'role');
        }
        const [row] = await tx
          .update(memberships)
          .set({ role, updatedAt: kernel.clock() })
          .where(eq(memberships.id, membershipId))
          .returning();
        await events.emit(tx, {
          type: 'member.role_changed',
          orgId,
          actor: caller.actor,
          payload: { membership_id: membershipId, user_id: member.userId, from: member.role, to: role },
        });
        return row;
      });
    },

    async remove(orgId: string, membershipId: string, caller: Caller) {
      await withTenant(database, orgId, async (tx) => {
        const [member] = await tx
          .select()
          .from(memberships)
          .where(and(eq(memberships.orgId, orgId), eq(memberships.id, membershipId)));
        if (!member) throw new NotFoundError('Member');
        if (member.userId !== caller.userId) assertMayAssign(caller, member.role as Role, member.role as Role);
        if (member.role === 'owner' && (await ownerCount(tx, orgId)) <= 1) {
          throw new ConflictError('The last owner cannot leave or be removed; make someone else owner first.', 'last_owner');
        }
        await tx.delete(memberships).where(eq(memberships.id, membershipId));
        await events.emit(tx, {
          type: 'member.removed',
          orgId,
          actor: caller.actor,
          payload: { membership_id: membershipId, user_id: member.userId, role: member.role },
        });
      });
    },

    async membershipIdOf(orgId: string, userId: string) {
      const [row] = await withTenant(database, orgId, (tx) =>
        tx
          .select({ id: memberships.id })
          .from(memberships)
          .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId))),
      );
      if (!row) throw new NotFoundError('Member');
      return row.id;
    },

    async listInvitations(orgId: string) {
      return withTenant(database, orgId, (tx) =>
        tx
          .select()
          .from(invitations)
          .where(
            and(
              eq(invitations.orgId, orgId),
              isNull(invitations.acceptedAt),
              isNull(invitations.revokedAt),
              gt(invitations.expiresAt, kernel.clock()),
            ),
          )
          .orderBy(asc(invitations.createdAt)),
      );
    },

    async invite(orgId: string, input: { email: string; role: Role }, caller: Caller) {
      assertMayAssign(caller, null, input.role);
      const token = `inv_${randomToken(40)}`;
      const existingUserId = await deps.users().userIdByEmail(input.email);
      const row = await withTenant(database, orgId, async (tx) => {
        if (existingUserId) {
          const [member] = await tx
            .select({ id: memberships.id })
            .from(memberships)
            .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, existingUserId)));
          if (member) throw new ConflictError(`${input.email} is already a member.`, 'already_member', 'email');
        }
        const [organization] = await tx.select().from(organizations).where(eq(organizations.id, orgId));
        if (!organization) throw new NotFoundError('Organization');
        const [invitation] = await tx
          .insert(invitations)
          .values({
            id: newId('inv'),
            orgId,
            email: input.email,
            role: input.role,
            tokenHash: hashSecret(token),
            invitedBy: caller.userId,
            expiresAt: new Date(kernel.clock().getTime() + config.invitationTtl * 1000),
          })
          .returning();
        const url = `${config.publicUrl ?? `http://localhost:${config.port}`}/invitations/accept?token=${token}`;
        await deps.notifications.sendEmail(tx, {
          to: input.email,
          subject: `You are invited to join ${organization.name} on Atrium`,
          text: `You have been invited to join ${organization.name} as ${input.role}.\n\nAccept the invitation: ${url}\n\nThe link expires on ${invitation.expiresAt.toISOString()}.`,
        });
        await events.emit(tx, {
          type: 'invitation.created',
          orgId,
          actor: caller.actor,
          payload: { invitation_id: invitation.id, email: input.email, role: input.role },
        });
        return { ...invitation, url };
      });
      return { ...row, token };
    },

    async revokeInvitation(orgId: string, id: string, caller: Caller) {
      await withTenant(database, orgId, async (tx) => {
        const [row] = await tx
          .update(invitations)
          .set({ revokedAt: kernel.clock() })
          .where(and(eq(invitations.orgId, orgId), eq(invitations.id, id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
          .returning();
        if (!row) throw new NotFoundError('Invitation');
        await events.emit(tx, { type: 'invitation.revoked', orgId, actor: caller.actor, payload: { invitation_id: id } });
      });
    },

    /** Finds a usable invitation by its token. System context: the token is the only key we have. */
    async findByToken(token: string) {
      const [row] = await asSystem(database, (db) =>
        db
          .select({ invitation: invitations, organization: organizations })
          .from(invitations)
          .innerJoin(organizations, eq(organizations.id, invitations.orgId))
          .where(eq(invitations.tokenHash, hashSecret(token))),
      );
      if (!row || row.invitation.acceptedAt || row.invitation.revokedAt || row.invitation.expiresAt <= kernel.clock()) {
        throw new NotFoundError('Invitation', 'invitation_not_found');
      }
      return row;
    },

    /** Joins the signed-in user to the invitation's organisation. The email must match the invitation's. */
    async accept(token: string, user: { id: string; email: string }) {
      const { invitation, organization } = await this.findByToken(token);
      if (invitation.email.toLowerCase() !== user.email.toLowerCase()) {
        throw new PermissionError(
          `This invitation is for ${invitation.email}; sign in with that address to accept it.`,
          'invitation_email_mismatch',
        );
      }
      return withTenant(database, invitation.orgId, async (tx) => {
        const [claimed] = await tx
          .update(invitations)
          .set({ acceptedAt: kernel.clock(), acceptedBy: user.id })
          .where(and(eq(invitations.id, invitation.id), isNull(invitations.acceptedAt)))
          .returning();
        if (!claimed) throw new NotFoundError('Invitation', 'invitation_not_found');
        const [existing] = await tx
          .select()
          .from(memberships)
          .where(and(eq(memberships.orgId, invitation.orgId), eq(memberships.userId, user.id)));
        if (existing) throw new ConflictError('You are already a member of this organization.', 'already_member');
        const [membership] = await tx
          .insert(memberships)
          .values({ id: newId('mem'), orgId: invitation.orgId, userId: user.id, role: invitation.role })
          .returning();
        const actor: EventActor = { type: 'user', id: user.id };
        await events.emit(tx, {
          type: 'invitation.accepted',
          orgId: invitation.orgId,
          actor,
          payload: { invitation_id: invitation.id, user_id: user.id },
        });
        await events.emit(tx, {
          type: 'member.added',
          orgId: invitation.orgId,
          actor,
          payload: { membership_id: membership.id, user_id: user.id, role: invitation.role },
        });
        return { organization, membership };
      });
    },
  };
}

export type MembersService = ReturnType<typeof createMembersService>;
