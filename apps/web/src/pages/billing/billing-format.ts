import type { BillingInterval, Invoice, InvoiceStatus, PlanLimits, PlanQuota, SubscriptionStatus } from '../../api/billing-types';
import type { BadgeTone } from '../../components/badge';

// Money is an integer in the currency's minor unit (cents for USD); quantities are plain numbers.

const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string, trim: boolean): Intl.NumberFormat | null {
  const key = `${currency}:${trim}`;
  let format = moneyFormats.get(key);
  if (!format) {
    try {
      format = new Intl.NumberFormat(undefined, { style: 'currency', currency, ...(trim ? { minimumFractionDigits: 0 } : {}) });
    } catch {
      return null;
    }
    moneyFormats.set(key, format);
  }
  return format;
}

/** How many decimals the currency's minor unit has: 2 for USD and EUR, 0 for JPY. */
export function minorDigits(currency: string): number {
  return moneyFormat(currency, false)?.resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * An amount in minor units as currency: `formatMoney(2900, 'USD')` is "$29.00". With `trim`,
 * whole amounts drop their decimals ("$29") for prices.
 */
export function formatMoney(minor: number, currency: string, options: { trim?: boolean } = {}): string {
  const digits = minorDigits(currency);
  const value = minor / 10 ** digits;
  const trim = options.trim === true && Number.isInteger(value);
  const format = moneyFormat(currency, trim);
  if (!format) return `${value.toFixed(digits)} ${currency}`;
  return format.format(value);
}

/** Minor units as a form value in currency units: 2900 → "29", 2950 → "29.5"; null → "". */
export function unitsFromMinor(minor: number | null, currency: string): string {
  return minor === null ? '' : String(minor / 10 ** minorDigits(currency));
}

/**
 * Minor units from an amount typed in currency units ("29.50" → 2950), computed from the digits so
 * no floating-point rounding creeps in; null when it is not a number ≥ 0 with at most the
 * currency's decimals.
 */
export function minorFromUnits(value: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const match = /^(\d{1,12})(?:\.(\d*))?$/.exec(value.trim()) ?? /^()\.(\d+)$/.exec(value.trim());
  if (!match) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return null;
  return Number(match[1] || '0') * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

const percentFormat = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

/** A 0..1 fraction as a percentage: 0.125 → "12.5%". */
export function formatFraction(value: number): string {
  return percentFormat.format(value);
}

/** Basis points as a percentage: 2000 → "20%", 825 → "8.25%". */
export function formatTaxRate(bp: number): string {
  return `${new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(bp / 100)}%`;
}

// --- Metrics ----------------------------------------------------------------------------------

interface MetricInfo {
  /** "Tokens", for headings and labels. */
  label: string;
  /** "token" / "tokens", after a number. */
  one: string;
  other: string;
  /** Amounts are bytes, written as KB, MB, GB… */
  bytes: boolean;
  /** The organization's own metric rather than one Atrium measures. */
  custom?: boolean;
}

const metrics: Record<string, MetricInfo> = {
  tokens: { label: 'Tokens', one: 'token', other: 'tokens', bytes: false },
  requests: { label: 'Requests', one: 'request', other: 'requests', bytes: false },
  agent_runs: { label: 'Agent runs', one: 'agent run', other: 'agent runs', bytes: false },
  workflow_steps: { label: 'Workflow steps', one: 'workflow step', other: 'workflow steps', bytes: false },
  plugin_executions: { label: 'Plugin executions', one: 'plugin execution', other: 'plugin executions', bytes: false },
  storage_bytes: { label: 'Storage', one: 'byte', other: 'bytes', bytes: true },
  seats: { label: 'Seats', one: 'seat', other: 'seats', bytes: false },
  agents: { label: 'Agents', one: 'agent', other: 'agents', bytes: false },
};

/** The order metrics are listed in; others follow alphabetically. */
const metricOrder = Object.keys(metrics);

export function compareMetrics(a: string, b: string): number {
  const rank = (metric: string) => {
    const index = metricOrder.indexOf(metric);
    return index === -1 ? metricOrder.length : index;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

function humanize(name: string): string {
  const words = name.replace(/[_.-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** How a metric is named; an organization's own metric by its name and the unit the API reports. */
export function metricInfo(metric: string, unit?: string): MetricInfo {
  const known = metrics[metric];
  if (known) return known;
  const one = unit && unit !== 'unit' ? unit : 'unit';
  return { label: humanize(metric), one, other: one.endsWith('s') ? one : `${one}s`, bytes: unit === 'byte', custom: true };
}

/** The metric's name in a sentence: "tokens", "storage", "agent runs". */
export function metricNoun(metric: string, unit?: string): string {
  const info = metricInfo(metric, unit);
  return info.bytes ? 'storage' : info.other;
}

const integer = new Intl.NumberFormat();
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const byteUnits = ['KB', 'MB', 'GB', 'TB', 'PB'];

/** Bytes in decimal units: 1000000000 → "1 GB", 850000000 → "850 MB". */
export function formatBytes(value: number): string {
  if (Math.abs(value) < 1000) return `${integer.format(value)} ${value === 1 ? 'byte' : 'bytes'}`;
  let scaled = value;
  let unit = -1;
  while (Math.abs(scaled) >= 1000 && unit < byteUnits.length - 1) {
    scaled /= 1000;
    unit += 1;
  }
  return `${new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }).format(scaled)} ${byteUnits[unit]}`;
}

export function formatCount(value: number): string {
  return integer.format(value);
}

/**
 * An amount of a metric: "1M tokens" (compact), "1,250,000 tokens", "1 GB".
 */
export function formatMetricAmount(value: number, metric: string, options: { compact?: boolean; unit?: string } = {}): string {
  const info = metricInfo(metric, options.unit);
  if (info.bytes) return formatBytes(value);
  const number = options.compact ? compact.format(value) : integer.format(Math.round(value * 1000) / 1000);
  return `${number} ${value === 1 ? info.one : info.other}`;
}

/** What one overage unit is: "request", "1M tokens", "10 workflow steps", "GB". */
function perUnit(size: number, metric: string): string {
  const info = metricInfo(metric);
  if (info.bytes) {
    const bytes = formatBytes(size);
    return bytes.startsWith('1 ') ? bytes.slice(2) : bytes;
  }
  return size === 1 ? info.one : `${compact.format(size)} ${info.other}`;
}

/** An overage price: "$2.00 per 1M tokens", "$0.01 per request". */
export function formatOverage(overage: NonNullable<PlanQuota['overage']>, metric: string, currency: string): string {
  return `${formatMoney(overage.unit_amount, currency)} per ${perUnit(overage.unit_size, metric)}`;
}

/** A plan's quota of a metric: "1M tokens", "5M tokens, then $2.00 per 1M tokens", "Unlimited storage". */
export function formatQuotaTerms(quota: PlanQuota, metric: string, currency: string): string {
  const info = metricInfo(metric);
  if (quota.included === null) return `Unlimited ${info.bytes ? 'storage' : info.other}`;
  const included = info.bytes ? `${formatBytes(quota.included)} storage` : formatMetricAmount(quota.included, metric, { compact: true });
  if (!quota.overage) return included;
  const overage = formatOverage(quota.overage, metric, currency);
  return quota.included === 0 ? overage : `${included}, then ${overage}`;
}

/** A plan's rate limits: ["60 requests per minute", "1,000 requests per day"]. */
export function formatLimits(limits: PlanLimits): string[] {
  const lines: string[] = [];
  const per: Record<string, string> = {
    requests_per_minute: 'requests per minute',
    requests_per_day: 'requests per day',
    tokens_per_minute: 'tokens per minute',
  };
  const order = Object.keys(per);
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  for (const [name, value] of Object.entries(limits).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))) {
    if (typeof value !== 'number') continue;
    lines.push(`${integer.format(value)} ${per[name] ?? humanize(name).toLowerCase()}`);
  }
  return lines;
}

// --- Features ---------------------------------------------------------------------------------

const featureLabels: Record<string, string> = {
  api_access: 'API access',
  webhooks: 'Webhook endpoints',
  sso: 'Single sign-on (SSO)',
  byok: 'Bring your own provider keys',
  audit_export: 'Audit log export',
  custom_roles: 'Custom roles',
  custom_domain: 'Custom domain',
  marketplace_publish: 'Publish to the marketplace',
  priority_models: 'Priority models',
  white_label: 'White label',
};

export interface FeatureEntry {
  key: string;
  label: string;
  /** False when the plan does not include it. */
  included: boolean;
  /** "5", "Unlimited", "Full": what a number or text feature gives. */
  detail: string | null;
}

/** A plan's features in a stable order, each as included or not, with its amount when it has one. */
export function featureEntries(features: Record<string, boolean | number | string | null>): FeatureEntry[] {
  const order = Object.keys(featureLabels);
  return Object.entries(features)
    .filter(([key]) => key !== 'custom_pricing')
    .sort(([a], [b]) => {
      const rank = (key: string) => (order.includes(key) ? order.indexOf(key) : order.length);
      return rank(a) - rank(b) || a.localeCompare(b);
    })
    .map(([key, value]) => {
      const label = featureLabels[key] ?? humanize(key);
      if (typeof value === 'boolean') return { key, label, included: value, detail: null };
      if (value === null) return { key, label, included: true, detail: 'Unlimited' };
      if (typeof value === 'number') return { key, label, included: value > 0, detail: integer.format(value) };
      return { key, label, included: value !== '' && value !== 'none', detail: humanize(value) };
    });
}

// --- Statuses ---------------------------------------------------------------------------------

export const subscriptionStatuses: Record<SubscriptionStatus, { label: string; tone: BadgeTone }> = {
  trialing: { label: 'Trial', tone: 'info' },
  active: { label: 'Active', tone: 'success' },
  past_due: { label: 'Payment overdue', tone: 'danger' },
  canceled: { label: 'Canceled', tone: 'neutral' },
  expired: { label: 'Expired', tone: 'warning' },
};

const invoiceStatuses: Record<InvoiceStatus, { label: string; tone: BadgeTone }> = {
  draft: { label: 'Draft', tone: 'neutral' },
  open: { label: 'Open', tone: 'info' },
  paid: { label: 'Paid', tone: 'success' },
  void: { label: 'Void', tone: 'neutral' },
  uncollectible: { label: 'Uncollectible', tone: 'danger' },
};

/** An invoice's status badge; an open invoice past its due date shows as overdue. */
export function invoiceStatus(invoice: Invoice, now = Date.now()): { label: string; tone: BadgeTone } {
  if (invoice.status === 'open' && invoice.due_at && new Date(invoice.due_at).getTime() < now) return { label: 'Overdue', tone: 'danger' };
  return invoiceStatuses[invoice.status] ?? { label: invoice.status, tone: 'neutral' };
}

/**
 * The plan new organizations start their trial on: free, with trial days. It cannot be chosen
 * again (the server refuses with `trial_unavailable`).
 */
export function isTrialPlan(plan: {
  trial_days: number;
  prices: { month: number | null; year: number | null };
  custom_pricing: boolean;
}): boolean {
  return plan.trial_days > 0 && !plan.custom_pricing && !plan.prices.month && !plan.prices.year;
}

export const intervalLabels: Record<BillingInterval, { adjective: string; noun: string }> = {
  month: { adjective: 'Monthly', noun: 'month' },
  year: { adjective: 'Yearly', noun: 'year' },
};
