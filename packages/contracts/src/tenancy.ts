import { z } from 'zod';
import { Role, Timestamp } from './common.ts';
import { Email } from './identity.ts';

export const Organization = z
  .object({ id: z.string(), name: z.string(), slug: z.string(), created_at: Timestamp })
  .meta({ id: 'Organization' });
export const Workspace = z
  .object({
    id: z.string(),
    name: z.string(),
    slug: z.string(),
    description: z.string().nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: 'Workspace' });

export const CreateOrganizationBody = z.object({ name: z.string().trim().min(1).max(120) });
export const UpdateOrganizationBody = z.object({ name: z.string().trim().min(1).max(120) });
export const CreateWorkspaceBody = z.object({ name: z.string().trim().min(1).max(120), description: z.string().max(1000).optional() });
export const UpdateWorkspaceBody = z
  .object({ name: z.string().trim().min(1).max(120).optional(), description: z.string().max(1000).nullable().optional() })
  .refine((value) => value.name !== undefined || value.description !== undefined, { message: 'Send name or description.', path: ['name'] });

export const Member = z
  .object({
    id: z.string(),
    user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
    role: Role,
    created_at: Timestamp,
  })
  .meta({ id: 'Member' });
export const UpdateMemberBody = z.object({ role: Role });

export const Invitation = z
  .object({ id: z.string(), email: z.string(), role: Role, expires_at: Timestamp, created_at: Timestamp, invited_by: z.string() })
  .meta({ id: 'Invitation' });
export const CreateInvitationBody = z.object({ email: Email, role: Role });
export const AcceptInvitationBody = z.object({ token: z.string().min(1).max(512) });
export const InvitationLookupQuery = z.object({ token: z.string().min(1).max(512) });
