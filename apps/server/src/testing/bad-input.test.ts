import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Atrium } from '../app.ts';
import { testClient } from './client.ts';
import { createTestAtrium } from './harness.ts';

let atrium: Atrium;
beforeAll(async () => {
  atrium = await createTestAtrium();
});
afterAll(() => atrium?.close());

/** Routes whose success would end the session the property test runs with. */
const SKIP = new Set(['POST /api/v1/auth/logout']);

describe('bad input never breaks the server', () => {
  it('answers random bodies on every route with a 4xx envelope (never a 5xx)', async () => {
    const client = testClient(atrium);
    const owner = await client.signup();
    const document = (await client.request('GET', '/api/v1/openapi.json')).body;
    const targets = atrium.http.routeCatalog.filter(
      (route) => ['POST', 'PATCH'].includes(route.method) && !SKIP.has(`${route.method} ${route.url}`),
    );
    expect(targets.length).toBeGreaterThan(10);

    for (const route of targets) {
      const path = route.url.replace(/:(\w+)/g, '{$1}');
      const schema = document.paths[path]?.[route.method.toLowerCase()]?.requestBody?.content?.['application/json']?.schema ?? {};
      const fields = Object.keys(schema.properties ?? {});
      const value = fc.oneof(fc.jsonValue(), fc.string(), fc.constant(null), fc.integer(), fc.array(fc.string()));
      const body = fc.oneof(fields.length ? fc.dictionary(fc.constantFrom(...fields), value) : fc.object(), fc.jsonValue(), fc.object());
      await fc.assert(
        fc.asyncProperty(body, async (payload) => {
          const url = route.url.replace(':id', 'zzz_missing');
          const response = await client.request(route.method, url, { token: owner.token, body: payload });
          expect(response.status, `${route.method} ${route.url} ${JSON.stringify(payload)}`).toBeLessThan(500);
          if (response.status >= 400) {
            expect(response.body.error.request_id).toBeTruthy();
            if (
              response.status === 400 &&
              response.body.error.code === 'invalid_value' &&
              payload &&
              typeof payload === 'object' &&
              !Array.isArray(payload)
            ) {
              expect(typeof response.body.error.param, `${route.method} ${route.url} names the field`).toBe('string');
            }
          }
        }),
        { numRuns: 25 },
      );
    }
  });
});
