import { describe, expect, it } from 'vitest';
import { costOf, type Price, PriceTable } from './prices.ts';

const price = (overrides: Partial<Price>): Price => ({
  id: 'p',
  orgId: null,
  provider: 'openai',
  model: 'gpt-4o',
  inputPerM: 2_500_000,
  outputPerM: 10_000_000,
  cachedInputPerM: 1_250_000,
  currency: 'USD',
  effectiveFrom: new Date('2025-01-01'),
  ...overrides,
});

describe('prices', () => {
  it('prices uncached, cached and cache-written input and output separately, rounding once per call', () => {
    const gpt = price({});
    // 1,000 input of which 400 cached, 200 output: 600 × 2.5 + 400 × 1.25 + 200 × 10 = 4,000 micro-units.
    expect(costOf({ input: 1000, cached: 400, output: 200 }, gpt)).toBe(4000);
    // Anthropic-style cache writes cost 1.25× input: 1,000 written → 3,125.
    const claude = price({
      provider: 'anthropic',
      model: 'claude-sonnet-4',
      inputPerM: 3_000_000,
      outputPerM: 15_000_000,
      cachedInputPerM: 300_000,
    });
    expect(costOf({ input: 1000, cached: 0, cacheWrite: 1000, output: 0 }, claude)).toBe(3750);
    expect(costOf({ input: 1, cached: 0, output: 0 }, price({ inputPerM: 150_000 }))).toBe(0);
    expect(costOf({ input: 1000, cached: 0, output: 0 }, undefined)).toBe(0);
  });

  it('picks the organization’s price over the platform’s, the newest in effect, and the longest priced prefix', () => {
    const table = new PriceTable([
      price({ id: 'platform' }),
      price({ id: 'mini', model: 'gpt-4o-mini', inputPerM: 150_000 }),
      price({ id: 'mine-old', orgId: 'org_a', effectiveFrom: new Date('2025-02-01'), inputPerM: 2_000_000 }),
      price({ id: 'mine-new', orgId: 'org_a', effectiveFrom: new Date('2025-06-01'), inputPerM: 1_000_000 }),
      price({ id: 'future', orgId: 'org_a', effectiveFrom: new Date('2099-01-01'), inputPerM: 1 }),
      price({ id: 'azure-only', orgId: 'org_b', provider: 'azure-openai', inputPerM: 9 }),
    ]);
    const now = new Date('2026-01-01');
    expect(table.lookup('org_a', 'openai', 'gpt-4o-2024-08-06', now)?.id).toBe('mine-new');
    expect(table.lookup('org_a', 'openai', 'gpt-4o', new Date('2025-03-01'))?.id).toBe('mine-old');
    expect(table.lookup('org_z', 'openai', 'gpt-4o', now)?.id).toBe('platform');
    expect(table.lookup('org_z', 'azure-openai', 'gpt-4o-mini-2024', now)?.id).toBe('mini');
    expect(table.lookup('org_b', 'azure-openai', 'gpt-4o', now)?.id).toBe('azure-only');
    expect(table.lookup('org_z', 'anthropic', 'gpt-4o', now)).toBeUndefined();
    expect(table.lookup('org_z', 'openai', 'unknown-model', now)).toBeUndefined();
  });
});
