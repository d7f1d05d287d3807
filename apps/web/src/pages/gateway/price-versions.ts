import type { ModelPrice } from '../../api/gateway-types';

/**
 * Why a version is not the one charged now: it takes effect later, the organization's own price
 * beats it (a platform price), or a newer version replaced it.
 */
export type PriceStatus = 'scheduled' | 'overridden' | 'replaced';

export interface PricedVersion {
  price: ModelPrice;
  status: PriceStatus;
}

export interface PricedModel {
  model: string;
  /** The price charged now, one per provider the model is priced for (usually one). */
  current: ModelPrice[];
  /** Every other version, older and future, newest first. */
  others: PricedVersion[];
}

const time = (price: ModelPrice) => new Date(price.effective_from).getTime();

/** Newest first; on the same instant the organization's version first. */
function newestFirst(a: ModelPrice, b: ModelPrice): number {
  return time(b) - time(a) || (a.scope === b.scope ? 0 : a.scope === 'organization' ? -1 : 1);
}

/**
 * Groups price versions by model and picks, per provider, the one in effect at `now`: the newest
 * with `effective_from` ≤ now, the organization's own beating the platform's. As on the server,
 * the organization's `*` price also beats the platform's price for a single provider.
 */
export function pricesByModel(prices: ModelPrice[], now = Date.now()): PricedModel[] {
  const byModel = new Map<string, ModelPrice[]>();
  for (const price of prices) {
    const list = byModel.get(price.model) ?? [];
    list.push(price);
    byModel.set(price.model, list);
  }

  const models: PricedModel[] = [];
  for (const [model, list] of byModel) {
    const versions = [...list].sort(newestFirst);
    const providers = [...new Set(versions.map((price) => price.provider))];
    let current: ModelPrice[] = [];
    for (const provider of providers) {
      const inEffect = versions.filter((price) => price.provider === provider && time(price) <= now);
      const chosen = inEffect.find((price) => price.scope === 'organization') ?? inEffect[0];
      if (chosen) current.push(chosen);
    }
    const ownForAny = current.some((price) => price.scope === 'organization' && price.provider === '*');
    if (ownForAny) current = current.filter((price) => price.scope === 'organization');
    // Any provider last, the others by name.
    current.sort((a, b) => Number(a.provider === '*') - Number(b.provider === '*') || a.provider.localeCompare(b.provider));

    const chosen = new Set(current.map((price) => price.id));
    const ownProviders = new Set(current.filter((price) => price.scope === 'organization').map((price) => price.provider));
    const others = versions
      .filter((price) => !chosen.has(price.id))
      .map((price): PricedVersion => {
        if (time(price) > now) return { price, status: 'scheduled' };
        const overridden = price.scope === 'platform' && (ownProviders.has(price.provider) || ownProviders.has('*'));
        return { price, status: overridden ? 'overridden' : 'replaced' };
      });
    models.push({ model, current, others });
  }
  return models.sort((a, b) => a.model.localeCompare(b.model));
}
