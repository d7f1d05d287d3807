import { apiRequest } from './client';
import type { InvitationPreview, Me, OrganizationSummary, Role, User, Workspace } from './types';

const base = '/api/v1';
const auth = { skipRefresh: true } as const;

export interface SignupInput {
  name: string;
  email: string;
  password: string;
  organization: string;
}

export function signup(input: SignupInput) {
  return apiRequest<{ user: User; organization: OrganizationSummary; workspace: Workspace }>(`${base}/auth/signup`, {
    method: 'POST',
    body: input,
    ...auth,
  });
}

export function login(input: { email: string; password: string }) {
  return apiRequest<{ user: User }>(`${base}/auth/login`, { method: 'POST', body: input, ...auth });
}

export function logout() {
  return apiRequest<void>(`${base}/auth/logout`, { method: 'POST', body: {}, ...auth });
}

export function requestPasswordReset(email: string) {
  return apiRequest<void>(`${base}/auth/password/forgot`, { method: 'POST', body: { email }, ...auth });
}

export function resetPassword(token: string, password: string) {
  return apiRequest<void>(`${base}/auth/password/reset`, { method: 'POST', body: { token, password }, ...auth });
}

export function changePassword(currentPassword: string, newPassword: string) {
  return apiRequest<void>(`${base}/auth/password`, {
    method: 'POST',
    body: { current_password: currentPassword, new_password: newPassword },
  });
}

export function switchOrganization(organizationId: string, options: { silentUnauthorized?: boolean } = {}) {
  return apiRequest<unknown>(`${base}/auth/switch`, { method: 'POST', body: { organization_id: organizationId }, ...options });
}

/**
 * Moves the session into another organization through the refresh token, which still works after
 * the current organization's membership is gone (leaving it).
 */
export function landInOrganization(organizationId: string) {
  return apiRequest<unknown>(`${base}/auth/refresh`, {
    method: 'POST',
    body: { organization_id: organizationId },
    silentUnauthorized: true,
  });
}

export function fetchMe(options: { silentUnauthorized?: boolean } = {}) {
  return apiRequest<Me>(`${base}/me`, options);
}

export function updateMe(name: string) {
  return apiRequest<{ user: User }>(`${base}/me`, { method: 'PATCH', body: { name } });
}

export function lookupInvitation(token: string) {
  return apiRequest<InvitationPreview>(`${base}/invitations/lookup?token=${encodeURIComponent(token)}`, auth);
}

export function acceptInvitation(token: string) {
  return apiRequest<{ organization: OrganizationSummary; role: Role }>(`${base}/invitations/accept`, {
    method: 'POST',
    body: { token },
  });
}
