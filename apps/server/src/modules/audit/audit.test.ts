import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Atrium } from '../../app.ts';
import { withTenant } from '../../kernel/db/tenant.ts';
import { pgErrorCode } from '../../kernel/errors.ts';
import { eventually, testClient } from '../../testing/client.ts';
import { createTestAtrium } from '../../testing/harness.ts';
import { CSV_COLUMNS, csvCell } from './export.ts';

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

/** Reads RFC 4180 CSV: quoted fields may hold commas, doubled quotes, CR and LF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      rows.push([...row, field]);
      row = [];
      field = '';
      index++;
    } else field += char;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

async function exportText(token: string, query: string) {
  const response = await atrium.http.inject({
    method: 'GET',
    url: `/api/v1/audit-logs/export${query}`,
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.statusCode, headers: response.headers, text: response.body };
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
      // The trial's subscription.created is recorded by a subscriber, after the signup's own entries.
      return found.length >= 5 && found.some((entry) => entry.action === 'subscription.created') && found;
    });
    const verified = await client.request('GET', '/api/v1/audit-logs/verify', { token: owner.token });
    expect(verified.body.intact).toBe(true);
    expect(verified.body.checked).toBeGreaterThanOrEqual(entries.length);

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
  it('quotes CSV cells as RFC 4180 says and neutralises spreadsheet formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('carriage\rreturn')).toBe('"carriage\rreturn"');
    for (const formula of ['=1+2', '+1', '-1', '@SUM(A1)']) expect(csvCell(formula)).toBe(`'${formula}`);
    expect(csvCell('=HYPERLINK("x","y")')).toBe(`"'=HYPERLINK(""x"",""y"")"`);
    expect(csvCell(null)).toBe('');
    expect(csvCell(42)).toBe('42');
  });

  it('exports every matching entry, oldest first, as CSV and JSON Lines, and audits the export', async () => {
    const owner = await client.signup();
    await client.createKey(owner.token, owner.workspace.id);
    const awkward = 'Lab, "North" wing';
    const formula = '=HYPERLINK("http://evil.example","click")';
    const workspace = await client.request('POST', '/api/v1/workspaces', {
      token: owner.token,
      body: { name: awkward },
      headers: { 'user-agent': formula },
    });
    expect(workspace.status).toBe(201);
    // Everything signing up, the key and the workspace cause, including the trial's subscription.created
    // (recorded by a subscriber), is in before the export.
    await eventually(async () => {
      const found = await auditActions(owner.token);
      return (
        found.filter((entry) => entry.action === 'workspace.created').length === 2 &&
        found.some((entry) => entry.action === 'subscription.created')
      );
    });

    const csv = await exportText(owner.token, '?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(
      new RegExp(`^attachment; filename="audit-log-${owner.organization.id}-\\d{4}-\\d{2}-\\d{2}\\.csv"$`),
    );
    const [header, ...rows] = parseCsv(csv.text);
    expect(header).toEqual([...CSV_COLUMNS]);
    const column = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    expect(rows.every((row) => row.length === CSV_COLUMNS.length)).toBe(true);
    const listed = await auditActions(owner.token, '?limit=100');
    expect(rows.map((row) => Number(row[column('seq')]))).toEqual(listed.map((entry) => entry.seq).reverse());
    const created = rows.find((row) => row[column('target_id')] === workspace.body.id);
    expect(JSON.parse(created?.[column('changes')] ?? '{}')).toEqual({ workspace_id: workspace.body.id, name: awkward });
    expect(created?.[column('user_agent')]).toBe(`'${formula}`);
    expect(created?.[column('action')]).toBe('workspace.created');

    // The export is an audit event of its own; wait for it so the JSON Lines comparison is stable.
    const exported = await eventually(async () => {
      const found = await client.request('GET', '/api/v1/audit-logs?action=audit_log.exported', { token: owner.token });
      return found.body.data[0];
    });
    expect(exported).toMatchObject({ actor: { type: 'user', id: owner.user.id }, changes: { format: 'csv', filters: {} } });

    const entries = (await client.request('GET', '/api/v1/audit-logs?limit=100', { token: owner.token })).body.data.reverse();
    const jsonl = await exportText(owner.token, '?format=jsonl');
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(jsonl.headers['content-disposition']).toMatch(/\.jsonl"$/);
    expect(jsonl.text.endsWith('\n')).toBe(true);
    const lines = jsonl.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.slice(0, entries.length)).toEqual(entries);
    // Only this export's own event may have been recorded after the list was read.
    expect(lines.slice(entries.length).every((line) => line.action === 'audit_log.exported')).toBe(true);

    const keysOnly = await exportText(owner.token, '?format=jsonl&action=api_key.*');
    expect(
      keysOnly.text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line).action),
    ).toEqual(['api_key.created']);
    await eventually(async () => {
      const found = await client.request('GET', '/api/v1/audit-logs?action=audit_log.exported', { token: owner.token });
      return found.body.data.some(
        (entry: { changes: { format: string; filters: { action?: string } } }) =>
          entry.changes.format === 'jsonl' && entry.changes.filters.action === 'api_key.*',
      );
    });
    const future = encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString());
    expect((await exportText(owner.token, `?format=csv&from=${future}`)).text).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
    expect((await exportText(owner.token, '?format=xml')).status).toBe(400);

    const member = await client.addMember(owner.token, 'developer');
    expect((await exportText(member.token, '?format=csv')).status).toBe(403);
    const other = await client.signup();
    await eventually(async () => (await auditActions(other.token)).some((entry) => entry.action === 'organization.created'));
    const theirs = await exportText(other.token, '?format=jsonl');
    expect(theirs.text).toContain('organization.created');
    expect(theirs.text).not.toContain(owner.organization.id);

    const spec = await client.request('GET', '/api/v1/openapi.json');
    const documented = spec.body.paths['/api/v1/audit-logs/export'].get;
    expect(Object.keys(documented.responses['200'].content)).toEqual(['text/csv', 'application/x-ndjson']);
    expect(atrium.kernel.events.catalog().map((entry) => entry.type)).toContain('audit_log.exported');
  });

  it('reads the export a page at a time, oldest first', async () => {
    const owner = await client.signup();
    for (const name of ['One', 'Two', 'Three']) await client.request('POST', '/api/v1/workspaces', { token: owner.token, body: { name } });
    const listed = await eventually(async () => {
      const found = await auditActions(owner.token);
      return found.filter((entry) => entry.action === 'workspace.created').length === 4 && found;
    });
    const read: number[] = [];
    for await (const entry of atrium.modules.audit.service.entries(owner.organization.id, {}, 2)) read.push(entry.seq);
    // Entries may still arrive after the listing (later events of the sign-up): they come after.
    expect(read.slice(0, listed.length)).toEqual(listed.map((entry) => entry.seq).reverse());
    expect([...read].sort((a, b) => a - b)).toEqual(read);
    const workspacesOnly: string[] = [];
    for await (const entry of atrium.modules.audit.service.entries(owner.organization.id, { action: 'workspace.*' }, 2)) {
      workspacesOnly.push(entry.action);
    }
    expect(workspacesOnly).toEqual(['workspace.created', 'workspace.created', 'workspace.created', 'workspace.created']);
  });

  it('applies retention: old entries go, the chain still verifies from its anchor, and tenants cannot delete', async () => {
    const owner = await client.signup();
    // The trial's subscription.created is recorded too; all of it before the cutoff.
    await client.request('GET', '/api/v1/subscription', { token: owner.token });
    await eventually(async () => (await auditActions(owner.token)).some((entry) => entry.action === 'subscription.created'));
    await eventually(async () => (await auditActions(owner.token)).length >= 4);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const cutoff = new Date();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await client.request('POST', '/api/v1/workspaces', { token: owner.token, body: { name: 'After the cutoff' } });
    // Signing up created the default workspace; wait for the second one.
    await eventually(async () => (await auditActions(owner.token)).filter((entry) => entry.action === 'workspace.created').length === 2);

    const removed = await atrium.modules.audit.service.prune(cutoff);
    expect(removed).toBeGreaterThanOrEqual(3);
    const remaining = await auditActions(owner.token);
    expect(remaining.map((entry) => entry.action)).toEqual(['workspace.created']);
    const verified = await client.request('GET', '/api/v1/audit-logs/verify', { token: owner.token });
    expect(verified.body).toMatchObject({ intact: true, checked: 1 });

    const attempt = withTenant(atrium.kernel.database, owner.organization.id, async (tx) => {
      await tx.execute(sql`select set_config('atrium.audit_retention', 'on', true)`);
      await tx.execute(sql`delete from audit_logs`);
    });
    await expect(attempt).rejects.toSatisfy((error) => pgErrorCode(error) === '42501');
  });
});
