import type { ModelPrice, ProviderType } from '../../api/gateway-types';

/** Costs are kept in micro-units: 1 USD = 1,000,000. */
export const MICROS_PER_UNIT = 1_000_000;
export const CURRENCY = 'USD';

const integer = new Intl.NumberFormat();
const regularCost = new Intl.NumberFormat(undefined, { style: 'currency', currency: CURRENCY, maximumFractionDigits: 2 });
const smallCost = new Intl.NumberFormat(undefined, {
  style: 'currency',
  currency: CURRENCY,
  minimumFractionDigits: 2,
  maximumFractionDigits: 6,
});

/** A cost in micro-units as currency: cents for everyday amounts, up to six decimals below one unit. */
export function formatCost(micros: number): string {
  const value = micros / MICROS_PER_UNIT;
  return value !== 0 && Math.abs(value) < 1 ? smallCost.format(value) : regularCost.format(value);
}

export function formatCount(value: number): string {
  return integer.format(value);
}

export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${integer.format(Math.round(ms))} ms`;
}

export const providerTypeLabels: Record<ProviderType, string> = {
  openai: 'OpenAI',
  'azure-openai': 'Azure OpenAI',
  anthropic: 'Anthropic',
  gemini: 'Google Gemini',
  'openai-compatible': 'OpenAI-compatible',
};

/** "OpenAI" for `openai`, or the type as recorded. */
export function providerTypeLabel(type: string | null | undefined): string {
  if (!type) return '—';
  return providerTypeLabels[type as ProviderType] ?? type;
}

/** "Any provider" for a `*` price, else the provider type's label. */
export function priceProviderLabel(provider: string): string {
  return provider === '*' ? 'Any provider' : providerTypeLabel(provider);
}

const unitPriceFormats = new Map<string, Intl.NumberFormat>();

/** A price in micro-units as currency with cents, and up to six decimals when it has them: $10.00, $0.075. */
export function formatUnitPrice(micros: number, currency = CURRENCY): string {
  let format = unitPriceFormats.get(currency);
  if (!format) {
    try {
      format = new Intl.NumberFormat(undefined, { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 6 });
    } catch {
      // Not an ISO 4217 code: the amount, then the currency as recorded.
      const plain = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 6 });
      return `${plain.format(micros / MICROS_PER_UNIT)} ${currency}`;
    }
    unitPriceFormats.set(currency, format);
  }
  return format.format(micros / MICROS_PER_UNIT);
}

/** "$2.50 / $10.00 per 1M tokens (cached $1.25)": input / output, and cached input when priced. */
export function formatPriceLine(price: ModelPrice): string {
  const line = `${formatUnitPrice(price.input_per_m, price.currency)} / ${formatUnitPrice(price.output_per_m, price.currency)} per 1M tokens`;
  return price.cached_input_per_m === null ? line : `${line} (cached ${formatUnitPrice(price.cached_input_per_m, price.currency)})`;
}

/** The largest price the console accepts, in currency units per 1M tokens. */
export const MAX_UNIT_PRICE = 1_000_000;

const DECIMAL_PATTERN = /^(?:(\d+)(?:\.(\d{0,6}))?|\.(\d{1,6}))$/;

/**
 * Micro-units from a price typed in currency units ("2.50" → 2500000), computed from the digits so
 * no floating-point rounding creeps in; null when it is not a number ≥ 0 with at most six decimals
 * or is above MAX_UNIT_PRICE.
 */
export function microsFromUnits(value: string): number | null {
  const match = DECIMAL_PATTERN.exec(value.trim());
  if (!match) return null;
  const whole = Number(match[1] ?? '0');
  const fraction = Number((match[2] ?? match[3] ?? '').padEnd(6, '0'));
  const micros = whole * MICROS_PER_UNIT + fraction;
  return micros <= MAX_UNIT_PRICE * MICROS_PER_UNIT ? micros : null;
}

/** Currency units from micro-units, as a form value: 2500000 → "2.5". */
export function unitsFromMicros(micros: number | null): string {
  return micros === null ? '' : String(micros / MICROS_PER_UNIT);
}

/** The default address of the providers that have one (mirrors the server's defaults). */
export const defaultBaseUrls: Partial<Record<ProviderType, string>> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com/v1',
  gemini: 'https://generativelanguage.googleapis.com/v1beta',
};

/** Splits a comma- or line-separated list, dropping blanks and repeats. */
export function splitList(value: string): string[] {
  return [
    ...new Set(
      value
        .split(/[\n,]/)
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  ];
}
