import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Atrium } from '../../app.ts';
import { pgErrorCode } from '../../kernel/errors.ts';
import { eventually, testClient } from '../../testing/client.ts';
import { createTestAtrium } from '../../testing/harness.ts';

let atrium: Atrium;
let client: ReturnType<typeof testClient>;
beforeAll(async () => {
  atrium = await createTestAtrium();
  client = testClient(atrium);
});
afterAll(() => atrium?.close());

async function auditActions(token: string, query = '') {
  const response = await client.request('GET', `/api/v1/audit-logs${query}`, { token });
  expect(response.status).toBe(200);
  return response.body.data as Array<{
    action: string;
    actor: { id: string } | null;
    context: { request_id: string; ip: string } | null;
    seq: number;
  }>;
}

describe('audit log', () => {
  it('records state changes and security events with actor and request context', async () => {
    const owner = await client.signup();
    const key = await client.createKey(owner.token, owner.workspace.id);
    await client.request('POST', `/api/v1/api-keys/${key.id}/rotate`, { token: owner.token, body: { overlap_seconds: 0 } });
    await client.request('POST', '/api/v1/auth/login', { body: { email: owner.email, password: 'not the password' } });
    const expected = ['organization.created', 'user.signed_up', 'api_key.created', 'api_key.rotated', 'user.login_failed'];
    const entries = await eventually(async () => {
      const found = await auditActions(owner.token);
      return expected.every((action) => found.some((entry) => entry.action === action)) && found;
    });
    const created = entries.find((entry) => entry.action === 'api_key.created');
    expect(created?.actor).toEqual({ type: 'user', id: owner.user.id });
    expect(created?.context?.request_id).toBeTruthy();
    expect(created?.context?.ip).toBeTruthy();
    expect(entries.map((entry) => entry.seq)).toEqual([...entries.map((entry) => entry.seq)].sort((a, b) => b - a));

    const keysOnly = await auditActions(owner.token, '?action=api_key.*');
    expect(keysOnly.length).toBeGreaterThanOrEqual(2);
    expect(keysOnly.every((entry) => entry.action.startsWith('api_key.'))).toBe(true);
    const byActor = await auditActions(owner.token, `?actor=${owner.user.id}`);
    expect(byActor.every((entry) => entry.actor?.id === owner.user.id)).toBe(true);
    const future = await auditActions(owner.token, `?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`);
    expect(future).toEqual([]);

    const other = await client.signup();
    const theirs = await auditActions(other.token);
    expect(JSON.stringify(theirs)).not.toContain(owner.organization.id);
    const member = await client.addMember(owner.token, 'developer');
    expect((await client.request('GET', '/api/v1/audit-logs', { token: member.token })).status).toBe(403);
  });

  it('is append-only, and verification finds where the chain was tampered with', async () => {
    const owner = await client.signup();
    await client.request('POST', '/api/v1/workspaces', { token: owner.token, body: { name: 'One' } });
    await client.request('POST', '/api/v1/workspaces', { token: owner.token, body: { name: 'Two' } });
    const entries = await eventually(async () => {
      const found = await auditActions(owner.token);
      return found.length >= 5 && found;
    });
    const verified = await client.request('GET', '/api/v1/audit-logs/verify', { token: owner.token });
    expect(verified.body).toMatchObject({ intact: true, checked: entries.length });

    const victim = entries[entries.length - 2];
    const update = atrium.kernel.database.sql.query(`update audit_logs set changes = '{"forged":true}' where seq = $1 and org_id = $2`, [
      victim.seq,
      owner.organization.id,
    ]);
    await expect(update).rejects.toSatisfy((error) => pgErrorCode(error) === '42501');

    // Someone with the database's owner rights bypasses the trigger and rewrites history.
    await atrium.kernel.database.exec(`
      alter table audit_logs disable trigger audit_logs_append_only;
      update audit_logs set changes = '{"forged":true}' where seq = ${victim.seq} and org_id = '${owner.organization.id}';
      alter table audit_logs enable trigger audit_logs_append_only;`);
    const broken = await client.request('GET', '/api/v1/audit-logs/verify', { token: owner.token });
    expect(broken.body.intact).toBe(false);
    expect(broken.body.broken_at.seq).toBe(victim.seq);
  });
});
