import { ROLES, type Role } from '../../api/types';
import { capitalize } from '../../lib/format';

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: 'Full control of the organization, including its owners.',
  admin: 'Manages members, workspaces and API keys.',
  developer: 'Creates workspaces and API keys.',
  member: 'Sees workspaces and lists API keys.',
  viewer: 'Read-only access to workspaces and members.',
  billing: 'Sees the organization and its members, for billing.',
};

export const roleOptions = ROLES.map((role) => ({ value: role, label: capitalize(role) }));
