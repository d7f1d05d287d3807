import type { Usage } from './adapters/types.ts';

/** A price per 1M tokens, in micro-units of the currency (2.50 USD → 2_500_000). */
export interface Price {
  id: string;
  orgId: string | null;
  provider: string;
  model: string;
  inputPerM: number;
  outputPerM: number;
  cachedInputPerM: number | null;
  currency: string;
  effectiveFrom: Date;
}

/** The platform's seeded prices (USD per 1M tokens: input, output, cached input), from the providers' price lists. */
export const SEEDED_PRICES: Array<[provider: string, model: string, input: number, output: number, cached: number | null]> = [
  ['openai', 'gpt-5', 1.25, 10, 0.125],
  ['openai', 'gpt-5-mini', 0.25, 2, 0.025],
  ['openai', 'gpt-5-nano', 0.05, 0.4, 0.005],
  ['openai', 'gpt-4.1', 2, 8, 0.5],
  ['openai', 'gpt-4.1-mini', 0.4, 1.6, 0.1],
  ['openai', 'gpt-4.1-nano', 0.1, 0.4, 0.025],
  ['openai', 'gpt-4o', 2.5, 10, 1.25],
  ['openai', 'gpt-4o-mini', 0.15, 0.6, 0.075],
  ['openai', 'o3', 2, 8, 0.5],
  ['openai', 'o4-mini', 1.1, 4.4, 0.275],
  ['openai', 'o1', 15, 60, 7.5],
  ['openai', 'gpt-3.5-turbo', 0.5, 1.5, null],
  ['openai', 'text-embedding-3-small', 0.02, 0, null],
  ['openai', 'text-embedding-3-large', 0.13, 0, null],
  ['anthropic', 'claude-opus-4', 15, 75, 1.5],
  ['anthropic', 'claude-sonnet-4', 3, 15, 0.3],
  ['anthropic', 'claude-haiku-4-5', 1, 5, 0.1],
  ['anthropic', 'claude-3-7-sonnet', 3, 15, 0.3],
  ['anthropic', 'claude-3-5-sonnet', 3, 15, 0.3],
  ['anthropic', 'claude-3-5-haiku', 0.8, 4, 0.08],
  ['anthropic', 'claude-3-haiku', 0.25, 1.25, 0.03],
  ['gemini', 'gemini-2.5-pro', 1.25, 10, 0.31],
  ['gemini', 'gemini-2.5-flash', 0.3, 2.5, 0.075],
  ['gemini', 'gemini-2.5-flash-lite', 0.1, 0.4, 0.025],
  ['gemini', 'gemini-2.0-flash', 0.1, 0.4, 0.025],
  ['gemini', 'text-embedding-004', 0, 0, null],
  ['*', 'deepseek-chat', 0.27, 1.1, 0.07],
  ['*', 'deepseek-reasoner', 0.55, 2.19, 0.14],
  ['*', 'mistral-large-latest', 2, 6, null],
  ['*', 'mistral-small-latest', 0.1, 0.3, null],
  ['*', 'llama-3.3-70b-versatile', 0.59, 0.79, null],
];

/** Micro-units per 1M tokens from a decimal price per 1M tokens. */
export const microsPerM = (price: number) => Math.round(price * 1_000_000);

/** Which price family a connection's models are billed under. */
export function priceProvider(type: string): string {
  if (type === 'azure-openai') return 'openai';
  return type;
}

/**
 * Cost of one call in micro-units: uncached input, cached input (at the cached price when there
 * is one), input written to the provider's prompt cache (at 1.25× input) and output. Rounded once per call, to the nearest micro-unit.
 */
export function costOf(usage: Usage, price: Price | undefined): number {
  if (!price) return 0;
  const cached = Math.min(usage.cached, usage.input);
  const written = Math.min(usage.cacheWrite ?? 0, usage.input - cached);
  const uncached = usage.input - cached - written;
  const cachedPrice = price.cachedInputPerM ?? price.inputPerM;
  const writtenPrice = price.inputPerM * CACHE_WRITE_MULTIPLIER;
  return Math.round(
    (uncached * price.inputPerM + cached * cachedPrice + written * writtenPrice + usage.output * price.outputPerM) / 1_000_000,
  );
}

/** Writing to a provider's prompt cache (Anthropic's 5-minute cache) costs 1.25× the input price. */
export const CACHE_WRITE_MULTIPLIER = 1.25;

/**
 * The price table in memory: the hot path never reads prices from the database. An
 * organisation's own price beats the platform's; a provider-specific price beats `*`; the newest
 * version in effect wins; a model matches its exact name, else the longest priced prefix
 * (`gpt-4o-2024-08-06` → `gpt-4o`).
 */
export class PriceTable {
  #byModel = new Map<string, Price[]>();
  // Lookups repeat for every call to the same model: remembered for a minute (a price that takes
  // effect later is picked up within that minute), and forgotten whenever the table changes.
  #remembered = new Map<string, { price: Price | undefined; until: number }>();

  constructor(prices: Price[] = []) {
    this.replace(prices);
  }

  replace(prices: Price[]) {
    const byModel = new Map<string, Price[]>();
    for (const price of prices) {
      const list = byModel.get(price.model) ?? [];
      list.push(price);
      byModel.set(price.model, list);
    }
    for (const list of byModel.values()) list.sort((a, b) => b.effectiveFrom.getTime() - a.effectiveFrom.getTime());
    this.#byModel = byModel;
    this.#remembered = new Map();
  }

  /** The price in effect now, remembered briefly (the hot path's lookup). */
  current(orgId: string, provider: string, model: string, now = Date.now()): Price | undefined {
    const key = `${orgId}\u0000${provider}\u0000${model}`;
    const known = this.#remembered.get(key);
    if (known && known.until > now) return known.price;
    const price = this.lookup(orgId, provider, model, new Date(now));
    if (this.#remembered.size > 10_000) this.#remembered.clear();
    this.#remembered.set(key, { price, until: now + 60_000 });
    return price;
  }

  lookup(orgId: string, provider: string, model: string, at: Date = new Date()): Price | undefined {
    for (let name = model; name.length > 0; name = shorten(name)) {
      const candidates = this.#byModel.get(name);
      if (!candidates) continue;
      const best = pick(candidates, orgId, provider, at);
      if (best) return best;
    }
    return undefined;
  }
}

function shorten(name: string): string {
  const cut = Math.max(name.lastIndexOf('-'), name.lastIndexOf(':'), name.lastIndexOf('@'), name.lastIndexOf('/'));
  return cut > 0 ? name.slice(0, cut) : '';
}

/** A price for `provider` may be written for the connection type (`azure-openai`), its family (`openai`) or `*`. */
function pick(candidates: Price[], orgId: string, provider: string, at: Date): Price | undefined {
  const time = at.getTime();
  const family = priceProvider(provider);
  const matches = (price: Price) => price.provider === provider || price.provider === family;
  const rank = (price: Price) => (price.orgId === orgId ? 0 : 2) + (matches(price) ? 0 : 1);
  let best: Price | undefined;
  for (const price of candidates) {
    if (price.effectiveFrom.getTime() > time) continue;
    if (price.orgId !== null && price.orgId !== orgId) continue;
    if (!matches(price) && price.provider !== '*') continue;
    if (!best || rank(price) < rank(best)) best = price;
  }
  return best;
}
