import { z } from 'zod';

/** One event type: what it means and the shape of its payload (webhook `data`, audit `changes`). */
export interface EventDefinition {
  description: string;
  payload: z.ZodObject;
}

const id = z.string();
const role = z.enum(['owner', 'admin', 'developer', 'member', 'viewer', 'billing']);

/**
 * Identity events.
 *
 * @example
 * IdentityEvents['api_key.created'].payload.parse(event.data)
 */
export const IdentityEvents = {
  'user.signed_up': {
    description: 'Someone created an account (and with it this organization)',
    payload: z.object({ user_id: id, email: z.string() }),
  },
  'user.logged_in': { description: 'A user signed in', payload: z.object({ user_id: id, ip: z.string().nullable() }) },
  'user.login_failed': {
    description: 'A sign-in to a member’s account failed (wrong password)',
    payload: z.object({ user_id: id, ip: z.string().nullable() }),
  },
  'user.password_changed': { description: 'A user changed their password', payload: z.object({ user_id: id }) },
  'api_key.created': {
    description: 'An API key was created',
    payload: z.object({ api_key_id: id, name: z.string(), workspace_id: id, scopes: z.array(z.string()) }),
  },
  'api_key.rotated': {
    description: 'An API key was replaced by a new one',
    payload: z.object({ api_key_id: id, previous_api_key_id: id, previous_expires_at: z.string().nullable() }),
  },
  'api_key.revoked': { description: 'An API key was revoked', payload: z.object({ api_key_id: id, name: z.string() }) },
} satisfies Record<string, EventDefinition>;

/** Tenancy events. */
export const TenancyEvents = {
  'organization.created': { description: 'An organization was created', payload: z.object({ organization_id: id, name: z.string() }) },
  'organization.updated': { description: 'The organization was renamed', payload: z.object({ organization_id: id, name: z.string() }) },
  'workspace.created': { description: 'A workspace was created', payload: z.object({ workspace_id: id, name: z.string() }) },
  'workspace.updated': {
    description: 'A workspace was renamed or re-described',
    payload: z.object({
      workspace_id: id,
      changes: z.object({ name: z.string().optional(), description: z.string().nullable().optional() }),
    }),
  },
  'workspace.deleted': { description: 'A workspace was deleted (its API keys are revoked)', payload: z.object({ workspace_id: id }) },
  'member.added': { description: 'Someone joined the organization', payload: z.object({ membership_id: id, user_id: id, role }) },
  'member.role_changed': {
    description: 'A member’s role changed',
    payload: z.object({ membership_id: id, user_id: id, from: role, to: role }),
  },
  'member.removed': { description: 'A member left or was removed', payload: z.object({ membership_id: id, user_id: id, role }) },
  'invitation.created': { description: 'An invitation was sent', payload: z.object({ invitation_id: id, email: z.string(), role }) },
  'invitation.accepted': { description: 'An invitation was accepted', payload: z.object({ invitation_id: id, user_id: id }) },
  'invitation.revoked': { description: 'An invitation was revoked', payload: z.object({ invitation_id: id }) },
} satisfies Record<string, EventDefinition>;

/** Webhook events. */
export const WebhookEvents = {
  'webhook.test': {
    description: 'A test message sent from the console or API',
    payload: z.object({ endpoint_id: id, message: z.string() }),
  },
  'webhook.endpoint_disabled': {
    description: 'An endpoint was disabled after five days of failed deliveries',
    payload: z.object({ endpoint_id: id, url: z.string(), reason: z.string() }),
  },
} satisfies Record<string, EventDefinition>;

/** Audit-log events. */
export const AuditEvents = {
  'audit_log.exported': {
    description: 'Someone downloaded the audit log as CSV or JSON Lines',
    payload: z.object({
      format: z.enum(['csv', 'jsonl']),
      filters: z.record(z.string(), z.string()).describe('The filters the export used: action, actor, from, to'),
    }),
  },
} satisfies Record<string, EventDefinition>;

/** AI gateway events. */
export const GatewayEvents = {
  'provider.created': {
    description: 'A model provider connection was added',
    payload: z.object({ provider_id: id, name: z.string(), type: z.string(), workspace_id: id.nullable() }),
  },
  'provider.updated': {
    description: 'A provider connection was changed (its key is never included)',
    payload: z.object({ provider_id: id, name: z.string(), changes: z.array(z.string()) }),
  },
  'provider.deleted': { description: 'A provider connection was removed', payload: z.object({ provider_id: id, name: z.string() }) },
  'gateway_route.created': {
    description: 'A model route (alias with targets) was created',
    payload: z.object({ route_id: id, model: z.string(), strategy: z.string() }),
  },
  'gateway_route.updated': {
    description: 'A model route was changed',
    payload: z.object({ route_id: id, model: z.string(), strategy: z.string() }),
  },
  'gateway_route.deleted': { description: 'A model route was removed', payload: z.object({ route_id: id, model: z.string() }) },
  'gateway_policy.updated': {
    description: 'Limits, budget, cache or logging settings changed for the organization, a workspace or an API key',
    payload: z.object({ scope: z.enum(['organization', 'workspace', 'api_key']), scope_id: id }),
  },
  'model_price.created': {
    description: 'The organization set its own price for a model',
    payload: z.object({ price_id: id, provider: z.string(), model: z.string() }),
  },
  'gateway.budget_exhausted': {
    description: 'A spend budget ran out; calls answer 429 insufficient_quota until the period ends',
    payload: z.object({
      scope: z.enum(['organization', 'workspace', 'api_key']),
      scope_id: id,
      budget_micros: z.number(),
      period: z.string(),
    }),
  },
} satisfies Record<string, EventDefinition>;

/** Metering: usage crossing what the plan includes. */
export const MeteringEvents = {
  'usage.threshold_reached': {
    description: 'Usage of a metric reached 80% or 100% of what the plan includes this period (sent once per threshold and period)',
    payload: z.object({
      metric: z.string(),
      threshold: z.number().describe('80 or 100'),
      used: z.number(),
      limit: z.number(),
      hard: z.boolean().describe('True when calls beyond the limit are refused (402) rather than billed as overage'),
      period_end: z.string(),
    }),
  },
} satisfies Record<string, EventDefinition>;

const subscriptionPayload = z.object({
  subscription_id: id,
  plan: z.string(),
  plan_version: z.number(),
  status: z.string(),
  interval: z.string(),
  seats: z.number(),
});

/** Billing: subscriptions, trials, invoices, credits and payments. */
export const BillingEvents = {
  'subscription.created': { description: 'The organization got its first subscription (the Spark trial)', payload: subscriptionPayload },
  'subscription.updated': {
    description: 'Plan, interval, seats or status changed',
    payload: subscriptionPayload.extend({ previous_plan: z.string().optional(), previous_status: z.string().optional() }),
  },
  'subscription.canceled': {
    description: 'Cancellation was requested (at period end) or took effect',
    payload: subscriptionPayload.extend({ at_period_end: z.boolean() }),
  },
  'subscription.trial_will_end': {
    description: 'The trial ends in 7 or 3 days',
    payload: subscriptionPayload.extend({ days_left: z.number(), trial_end: z.string() }),
  },
  'subscription.restricted': {
    description: 'The organization became read-only: its trial ended or a payment stayed overdue past the grace period',
    payload: subscriptionPayload.extend({ reason: z.enum(['trial_ended', 'payment_overdue']) }),
  },
  'subscription.restored': {
    description: 'Full access came back (a plan was chosen or the overdue invoice paid)',
    payload: subscriptionPayload,
  },
  'invoice.finalized': {
    description: 'An invoice was numbered and is due',
    payload: z.object({ invoice_id: id, number: z.string(), total: z.number(), currency: z.string() }),
  },
  'invoice.paid': {
    description: 'An invoice was paid',
    payload: z.object({ invoice_id: id, number: z.string(), total: z.number(), currency: z.string() }),
  },
  'invoice.payment_failed': {
    description: 'Collecting an invoice failed; it is retried during the grace period',
    payload: z.object({
      invoice_id: id,
      number: z.string(),
      total: z.number(),
      currency: z.string(),
      attempt: z.number(),
      reason: z.string(),
    }),
  },
  'invoice.voided': {
    description: 'An operator voided an invoice: it is no longer owed, and the credits it used were given back',
    payload: z.object({
      invoice_id: id,
      number: z.string().nullable(),
      total: z.number(),
      currency: z.string(),
      reason: z.string().describe("The operator's reason, as they wrote it"),
      credits_restored: z.number().describe('Minor units of credit given back to the organization'),
    }),
  },
  'invoice.uncollectible': {
    description: 'An operator wrote an invoice off: it is no longer collected but still owed',
    payload: z.object({
      invoice_id: id,
      number: z.string(),
      total: z.number(),
      currency: z.string(),
      reason: z.string().describe("The operator's reason, as they wrote it"),
    }),
  },
  'credit.granted': {
    description: 'A credit was granted',
    payload: z.object({ credit_id: id, kind: z.string(), amount: z.number(), currency: z.string() }),
  },
  'billing_profile.updated': { description: 'Billing details or the tax rate changed', payload: z.object({ fields: z.array(z.string()) }) },
  'plan.updated': {
    description: 'The operator published a new version of a plan',
    payload: z.object({ plan: z.string(), version: z.number() }),
  },
} satisfies Record<string, EventDefinition>;

const executionPayload = z.object({ execution_id: id, capability_id: z.string(), workspace_id: z.string().nullable() });

/** Capability executor events (the execution log has every call; these are the decisions). */
export const CapabilityEvents = {
  'capability.approval_requested': {
    description: 'A capability that requires approval was called and waits for someone to approve or reject it',
    payload: executionPayload,
  },
  'capability.approved': { description: 'A waiting execution was approved and ran', payload: executionPayload },
  'capability.rejected': { description: 'A waiting execution was rejected and did not run', payload: executionPayload },
} satisfies Record<string, EventDefinition>;

const installationPayload = z.object({
  installation_id: id,
  plugin_id: z.string(),
  version: z.string(),
  workspace_id: z.string(),
});

/** Plugin lifecycle events. */
export const PluginEvents = {
  'plugin.installed': {
    description: 'A plugin was installed in a workspace (it waits for consent to its permissions)',
    payload: installationPayload.extend({ permissions: z.array(z.string()), signed_by: z.string().nullable() }),
  },
  'plugin.consented': {
    description: 'Someone granted the permissions a plugin asked for',
    payload: installationPayload.extend({ permissions: z.array(z.string()) }),
  },
  'plugin.enabled': { description: 'A plugin was enabled', payload: installationPayload },
  'plugin.disabled': {
    description: 'A plugin was disabled, by someone or automatically after repeated failures',
    payload: installationPayload.extend({ reason: z.string().nullable() }),
  },
  'plugin.updated': {
    description: 'A plugin moved to a new version (or waits for consent to new permissions)',
    payload: installationPayload.extend({ from_version: z.string(), added_permissions: z.array(z.string()), pending_consent: z.boolean() }),
  },
  'plugin.settings_updated': {
    description: 'A plugin’s settings changed (secret values are never included)',
    payload: installationPayload.extend({ fields: z.array(z.string()) }),
  },
  'plugin.uninstalled': {
    description: 'A plugin was uninstalled and its stored data purged',
    payload: installationPayload.extend({ purged_records: z.number() }),
  },
  'mcp_server.connected': {
    description: 'A remote MCP server was connected to a workspace; its tools became capabilities',
    payload: z.object({ server_id: id, name: z.string(), url: z.string(), workspace_id: z.string(), tools: z.number() }),
  },
  'mcp_server.disconnected': {
    description: 'A remote MCP server was removed from a workspace',
    payload: z.object({ server_id: id, name: z.string(), workspace_id: z.string() }),
  },
} satisfies Record<string, EventDefinition>;
