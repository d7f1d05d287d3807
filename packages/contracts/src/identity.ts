import { z } from 'zod';
import { Timestamp } from './common.ts';

export const Email = z
  .email()
  .max(254)
  .transform((value) => value.trim().toLowerCase());
export const Password = z.string().min(10, 'Use at least 10 characters.').max(256);

export const User = z.object({ id: z.string(), email: z.string(), name: z.string(), created_at: Timestamp }).meta({ id: 'User' });

export const SignupBody = z.object({
  email: Email,
  password: Password,
  name: z.string().trim().min(1).max(120),
  organization: z.string().trim().min(1).max(120),
});

export const LoginBody = z.object({ email: Email, password: z.string().min(1).max(256) });
export const RefreshBody = z.object({
  refresh_token: z.string().min(1).max(512).optional(),
  organization_id: z.string().min(1).max(64).optional().describe('Land the new session in this organization (you must belong to it)'),
});
export const ForgotPasswordBody = z.object({ email: Email });
export const ResetPasswordBody = z.object({ token: z.string().min(1).max(512), password: Password });
export const ChangePasswordBody = z.object({ current_password: z.string().min(1).max(256), new_password: Password });
export const SwitchBody = z.object({ organization_id: z.string().min(1).max(64) });
export const UpdateMeBody = z.object({ name: z.string().trim().min(1).max(120) });

export const Tokens = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().describe('Access token lifetime in seconds'),
});

export const ApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    last4: z.string(),
    scopes: z.array(z.string()),
    workspace_id: z.string(),
    created_by: z.string(),
    created_at: Timestamp,
    last_used_at: Timestamp.nullable(),
    expires_at: Timestamp.nullable(),
    revoked_at: Timestamp.nullable(),
    replaced_by: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });

export const ApiKeyWithSecret = ApiKey.extend({ key: z.string().describe('The secret; shown only in this response') });

export const CreateApiKeyBody = z.object({
  name: z.string().trim().min(1).max(120),
  workspace_id: z.string().min(1).max(64),
  scopes: z.array(z.string().min(1).max(64)).max(100).optional(),
  expires_at: z.iso.datetime({ offset: true }).optional(),
});

export const RotateApiKeyBody = z.object({
  overlap_seconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 86_400)
    .default(86_400)
    .describe('How long the old key keeps working'),
});
