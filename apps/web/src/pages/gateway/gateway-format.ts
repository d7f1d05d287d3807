import type { ProviderType } from '../../api/gateway-types';

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
