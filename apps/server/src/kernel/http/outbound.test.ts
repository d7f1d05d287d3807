import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertOutboundUrl, createOutboundAgent, publicOnlyLookup } from './outbound.ts';

const server = createServer((_request, response) => response.end('inside'));
let port = 0;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('outbound policy', () => {
  it('refuses private URLs at save time unless allowed, naming the field', async () => {
    await expect(
      assertOutboundUrl(`http://localhost:${port}/v1`, { allowPrivateNetworks: false, param: 'base_url' }),
    ).rejects.toMatchObject({
      status: 400,
      param: 'base_url',
      code: 'private_address',
    });
    await expect(assertOutboundUrl('http://169.254.169.254/latest', { allowPrivateNetworks: false })).rejects.toMatchObject({
      code: 'private_address',
    });
    await expect(assertOutboundUrl('ftp://example.com', { allowPrivateNetworks: true })).rejects.toMatchObject({ code: 'invalid_url' });
    expect((await assertOutboundUrl(`http://localhost:${port}/v1`, { allowPrivateNetworks: true })).port).toBe(String(port));
  });

  it('checks the address each connection really goes to, so a name that later resolves inside is still refused', async () => {
    const refusal = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      publicOnlyLookup('localhost', {}, (error) => resolve(error)),
    );
    expect(refusal?.code).toBe('EPRIVATEADDRESS');

    const guarded = createOutboundAgent({ allowPrivateNetworks: false });
    const open = createOutboundAgent({ allowPrivateNetworks: true });
    try {
      await expect(guarded.request({ origin: `http://localhost:${port}`, path: '/', method: 'GET' })).rejects.toMatchObject({
        code: 'EPRIVATEADDRESS',
      });
      const inside = await open.request({ origin: `http://localhost:${port}`, path: '/', method: 'GET' });
      expect(await inside.body.text()).toBe('inside');
    } finally {
      await Promise.all([guarded.close(), open.close()]);
    }
  });
});
