import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatMoney } from './commands/billing.ts';
import { dimension, formatQuantity, quantity } from './commands/usage.ts';
import { parseEnvironment } from './config.ts';
import { run } from './program.ts';

const plan = (slug: string, name: string, month: number | null, extra: Record<string, unknown> = {}) => ({
  id: `plan_${slug}`,
  slug,
  name,
  description: '',
  version: 1,
  currency: 'USD',
  prices: { month, year: month === null ? null : month * 10 },
  seat_amount: 0,
  included_seats: 1,
  min_seats: 1,
  max_seats: 1,
  trial_days: 0,
  limits: {},
  quotas: {},
  features: {},
  custom_pricing: false,
  ...extra,
});

const subscription = (planSlug: string, status: string) => ({
  id: 'sub_1',
  plan: { id: `plan_${planSlug}`, slug: planSlug, name: planSlug === 'spark' ? 'Spark' : 'Solo', version: 1 },
  status,
  interval: 'month',
  seats: 1,
  current_period_start: '2026-01-01T00:00:00.000Z',
  current_period_end: '2026-01-31T00:00:00.000Z',
  trial_end: status === 'trialing' ? '2026-01-31T00:00:00.000Z' : null,
  days_left_in_trial: status === 'trialing' ? 12 : null,
  cancel_at_period_end: false,
  canceled_at: null,
  past_due_since: null,
  restricted: false,
  restricted_reason: null,
  provider: 'manual',
  upgrade_url: 'http://atrium.test/billing',
});

const invoice = {
  id: 'inv_1',
  number: 'ATR-0001',
  status: 'open',
  currency: 'USD',
  period_start: '2026-01-01T00:00:00.000Z',
  period_end: '2026-01-31T00:00:00.000Z',
  lines: [],
  subtotal: 2900,
  credits: 0,
  tax: 0,
  tax_rate_bp: 0,
  total: 2900,
  amount_paid: 0,
  amount_due: 2900,
  due_at: '2026-01-15T00:00:00.000Z',
  paid_at: null,
  created_at: '2026-01-01T00:00:00.000Z',
  pdf_url: '/api/v1/invoices/inv_1/pdf',
};

interface Call {
  method: string;
  path: string;
  body: unknown;
}

/** Runs the CLI in-process against canned answers, keyed by `METHOD /path`. */
async function cli(args: string[], answers: Record<string, unknown>) {
  const calls: Call[] = [];
  let stdout = '';
  let stderr = '';
  const fetchImpl: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    calls.push({ method, path: url.pathname + url.search, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined });
    const answer = answers[`${method} ${url.pathname}`];
    if (answer === undefined)
      return Response.json({ error: { type: 'not_found', code: 'not_found', message: 'Not found.' } }, { status: 404 });
    return Response.json(answer, { status: method === 'POST' && url.pathname === '/api/v1/usage/events' ? 201 : 200 });
  };
  const code = await run(args, {
    stdout: {
      write: (text: string) => {
        stdout += text;
      },
    },
    stderr: {
      write: (text: string) => {
        stderr += text;
      },
    },
    stdin: (async function* () {})(),
    environment: parseEnvironment({
      ATRIUM_URL: 'http://atrium.test',
      ATRIUM_API_KEY: 'atr_live_test',
      ATRIUM_CONFIG_DIR: join(tmpdir(), 'atrium-cli-billing-none'),
    }),
    fetch: fetchImpl,
  });
  return { code, stdout, stderr, calls };
}

describe('formatting helpers', () => {
  it('formats money in minor units the same in every locale', () => {
    expect(formatMoney(2900, 'USD')).toBe('29.00 USD');
    expect(formatMoney(-150, 'eur')).toBe('-1.50 EUR');
    expect(formatMoney(500, 'JPY')).toBe('500 JPY');
  });

  it('parses quantities and dimensions', () => {
    expect(quantity('12')).toBe(12);
    expect(quantity('0.5')).toBe(0.5);
    expect(() => quantity('-1')).toThrow(/number ≥ 0/);
    expect(() => quantity('ten')).toThrow();
    expect(dimension('model=gpt-4o', { team: 'a' })).toEqual({ team: 'a', model: 'gpt-4o' });
    expect(() => dimension('no-equals')).toThrow(/name=value/);
    expect(formatQuantity(1_250_000)).toBe('1250000');
    expect(formatQuantity(0.1 + 0.2)).toBe('0.3');
  });
});

describe('atrium billing (in-process, canned API answers)', () => {
  it('shows the subscription', async () => {
    const result = await cli(['billing', 'plan'], { 'GET /api/v1/subscription': subscription('spark', 'trialing') });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^plan\s+Spark \(spark, version 1\)$/m);
    expect(result.stdout).toMatch(/^status\s+trialing \(12 days left\)$/m);
    expect(result.stdout).toMatch(/^restricted\s+no$/m);
  });

  it('lists plans with their prices', async () => {
    const plans = [
      plan('spark', 'Spark', 0, { trial_days: 30 }),
      plan('team', 'Team', 9900, { seat_amount: 1900, min_seats: 2, max_seats: 7 }),
      plan('enterprise', 'Enterprise', 0, { custom_pricing: true, max_seats: null }),
    ];
    const result = await cli(['billing', 'plans'], { 'GET /api/v1/plans': { data: plans } });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SLUG\s+NAME\s+MONTHLY\s+YEARLY\s+SEATS\s+EXTRA SEAT\s+TRIAL\s+VERSION$/);
    expect(lines[1]).toMatch(/^spark\s+Spark\s+0\.00 USD\s+0\.00 USD\s+1\s+-\s+30 days\s+1$/);
    expect(lines[2]).toMatch(/^team\s+Team\s+99\.00 USD\s+990\.00 USD\s+2-7\s+19\.00 USD\/month\s+-\s+1$/);
    expect(lines[3]).toMatch(/^enterprise\s+Enterprise\s+custom\s+custom\s+1\+/);
  });

  it('changes the plan and prints the invoice', async () => {
    const result = await cli(['billing', 'change', 'team', '--interval', 'year', '--seats', '4'], {
      'POST /api/v1/subscription/change': { subscription: subscription('solo', 'active'), invoice, checkout_url: null },
    });
    expect(result.code).toBe(0);
    expect(result.calls[0]).toEqual({
      method: 'POST',
      path: '/api/v1/subscription/change',
      body: { plan: 'team', interval: 'year', seats: 4 },
    });
    expect(result.stdout).toMatch(/^invoice\s+ATR-0001 \(open\)$/m);
    expect(result.stdout).toMatch(/^total\s+29\.00 USD$/m);
    expect((await cli(['billing', 'change', 'team', '--interval', 'week'], {})).code).toBe(2);
    expect((await cli(['billing', 'change', 'team', '--seats', '0'], {})).code).toBe(2);
  });

  it('points to the checkout when payment comes first', async () => {
    const result = await cli(['billing', 'change', 'solo'], {
      'POST /api/v1/subscription/change': {
        subscription: subscription('spark', 'trialing'),
        invoice: null,
        checkout_url: 'https://pay.example/c/1',
      },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^checkout\s+https:\/\/pay\.example\/c\/1$/m);
    expect(result.stderr).toMatch(/applies once the payment/);
  });

  it('cancels at the period end unless --now', async () => {
    const answers = { 'POST /api/v1/subscription/cancel': subscription('solo', 'active') };
    expect((await cli(['billing', 'cancel'], answers)).calls[0].body).toEqual({ at_period_end: true });
    expect((await cli(['billing', 'cancel', '--now'], answers)).calls[0].body).toEqual({ at_period_end: false });
  });

  it('lists invoices', async () => {
    const result = await cli(['billing', 'invoices'], {
      'GET /api/v1/invoices': { data: [invoice, { ...invoice, id: 'inv_0', number: null, status: 'draft', due_at: null }] },
    });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NUMBER\s+STATUS\s+PERIOD\s+TOTAL\s+DUE\s+DUE DATE\s+PAID\s+ID$/);
    expect(lines[1]).toMatch(/^ATR-0001\s+open\s+2026-01-01 → 2026-01-31\s+29\.00 USD\s+29\.00 USD\s+2026-01-15\s+-\s+inv_1$/);
    expect(lines[2]).toMatch(/^draft\s+draft\s/);
  });
});

describe('atrium usage (metering, in-process)', () => {
  const report = {
    group_by: 'metric',
    from: '2026-01-01T00:00:00.000Z',
    to: '2026-01-31T00:00:00.000Z',
    data: [
      { metric: 'tokens', quantity: 1200, unit: 'token', events: 3 },
      { metric: 'requests', quantity: 3, unit: 'request', events: 3 },
    ],
  };

  it('prints metered usage by metric by default, and the period on stderr', async () => {
    const result = await cli(['usage'], { 'GET /api/v1/usage': report });
    expect(result.code).toBe(0);
    expect(result.calls[0].path).toBe('/api/v1/usage?group_by=metric');
    expect(result.stdout).toMatch(/^METRIC\s+QUANTITY\s+UNIT\s+EVENTS$/m);
    expect(result.stdout).toMatch(/^tokens\s+1200\s+token\s+3$/m);
    expect(result.stderr).toBe('period 2026-01-01 00:00 → 2026-01-31 00:00 (UTC)\n');
  });

  it('groups by day for one metric', async () => {
    const byDay = { ...report, group_by: 'day', data: [{ metric: 'tokens', quantity: 1200, unit: 'token', events: 3, day: '2026-01-02' }] };
    const result = await cli(['usage', '--group-by', 'day', '--metric', 'tokens', '--from', '2026-01-01'], { 'GET /api/v1/usage': byDay });
    expect(result.calls[0].path).toBe('/api/v1/usage?group_by=day&from=2026-01-01T00%3A00%3A00.000Z&metric=tokens');
    expect(result.stdout).toMatch(/^DAY\s+METRIC\s+QUANTITY\s+UNIT\s+EVENTS$/m);
    expect(result.stdout).toMatch(/^2026-01-02\s+tokens\s+1200\s+token\s+3$/m);
  });

  it('keeps the gateway report behind --gateway, at its new address', async () => {
    const result = await cli(['usage', '--gateway', '--json'], { 'GET /api/v1/gateway/usage': { group_by: 'day', data: [] } });
    expect(result.code).toBe(0);
    expect(result.calls[0].path).toBe('/api/v1/gateway/usage?group_by=day');
    expect((await cli(['usage', '--gateway', '--metric', 'tokens'], {})).code).toBe(2);
    expect((await cli(['usage', '--csv'], {})).code).toBe(2);
  });

  it('records a usage event with an idempotency key', async () => {
    const recorded = {
      metric: 'documents',
      quantity: 12,
      idempotency_key: 'job-7',
      timestamp: '2026-01-02T03:04:05.000Z',
      workspace_id: null,
      dimensions: { source: 'import' },
      duplicate: false,
    };
    const result = await cli(['usage', 'record', 'documents', '12', '--key', 'job-7', '--dimension', 'source=import'], {
      'POST /api/v1/usage/events': recorded,
    });
    expect(result.code).toBe(0);
    expect(result.calls[0]).toEqual({
      method: 'POST',
      path: '/api/v1/usage/events',
      body: { metric: 'documents', quantity: 12, idempotency_key: 'job-7', dimensions: { source: 'import' } },
    });
    expect(result.stdout).toMatch(/^result\s+recorded$/m);

    const generated = await cli(['usage', 'record', 'documents', '1'], { 'POST /api/v1/usage/events': { ...recorded, duplicate: true } });
    expect((generated.calls[0].body as { idempotency_key: string }).idempotency_key).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.stdout).toMatch(/^result\s+duplicate/m);
    expect((await cli(['usage', 'record', 'documents', 'lots'], {})).code).toBe(2);
  });
});
