import { createHmac, randomBytes } from 'node:crypto';

/** A new Standard Webhooks secret: `whsec_` + base64 of 24 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * The Standard Webhooks headers for one delivery: `webhook-id`, `webhook-timestamp` (seconds) and
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, keyed by the secret's
 * base64-decoded bytes. Several secrets (during rotation) give several space-separated signatures.
 */
export function signatureHeaders(input: { id: string; timestamp: number; body: string; secrets: string[] }): Record<string, string> {
  const signed = `${input.id}.${input.timestamp}.${input.body}`;
  const signatures = input.secrets.map((secret) => {
    const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
    return `v1,${createHmac('sha256', key).update(signed).digest('base64')}`;
  });
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(input.timestamp),
    'webhook-signature': signatures.join(' '),
  };
}

/** Seconds to wait before attempt n+1 (index n), after Svix: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const RETRY_SCHEDULE_SECONDS = [0, 5, 300, 1800, 7200, 18_000, 36_000, 36_000];

/** Whether `eventType` matches a subscription: exact, `prefix.*` or `*`. */
export function matchesEventType(patterns: string[], eventType: string): boolean {
  return patterns.some(
    (pattern) => pattern === '*' || pattern === eventType || (pattern.endsWith('.*') && eventType.startsWith(pattern.slice(0, -1))),
  );
}
