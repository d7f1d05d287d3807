import { type LookupAddress, lookup as lookupCallback } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { Agent } from 'undici';
import { ValidationError } from '../errors.ts';

// Loopback, private, link-local, carrier-grade NAT, multicast and reserved ranges (IPv4 and IPv6).
const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['::ffff:0:0', 96],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) return blocked.check(address, 'ipv6');
  return true;
}

/**
 * The outbound policy for requests made on a tenant's behalf (webhooks, HTTP steps, plugin
 * fetch): http(s) only, and unless `allowPrivateNetworks`, no host that resolves to loopback,
 * private, link-local or reserved addresses (SSRF). Throws a ValidationError naming `param`.
 *
 * @example
 * await assertOutboundUrl('https://hooks.example.com/x', { allowPrivateNetworks: false });
 */
export async function assertOutboundUrl(raw: string, options: { allowPrivateNetworks: boolean; param?: string }): Promise<URL> {
  const param = options.param ?? 'url';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ValidationError('Not a valid URL.', param, 'invalid_url');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ValidationError('Only http and https URLs are allowed.', param, 'invalid_url');
  if (url.username || url.password) throw new ValidationError('URLs may not carry credentials.', param, 'invalid_url');
  if (options.allowPrivateNetworks) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((entry) => entry.address);
  if (!addresses.length) throw new ValidationError(`The host ${host} does not resolve.`, param, 'unresolvable_host');
  if (addresses.some(isBlockedAddress)) {
    throw new ValidationError(
      'The URL points at a private or loopback address, which this server does not allow.',
      param,
      'private_address',
    );
  }
  return url;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A DNS lookup for `net.connect` that drops private, loopback and link-local answers and fails when
 * none is left: checking the address actually connected to closes the window between a URL check
 * and the connection (DNS rebinding).
 */
export function publicOnlyLookup(hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void {
  lookupCallback(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const allowed = (addresses as LookupAddress[]).filter((entry) => !isBlockedAddress(entry.address));
    if (!allowed.length) {
      const refusal: NodeJS.ErrnoException = new Error(
        `${hostname} resolves only to private or loopback addresses, which this server does not allow.`,
      );
      refusal.code = 'EPRIVATEADDRESS';
      return callback(refusal, []);
    }
    if (options.all) return callback(null, allowed);
    callback(null, allowed[0].address, allowed[0].family);
  });
}

/**
 * The HTTP client for calls made on a tenant's behalf (model providers, later plugins and HTTP
 * steps): undici keep-alive pools, and unless `allowPrivateNetworks`, every new connection's
 * resolved address is checked. Use with `assertOutboundUrl` at save time for a clear 400; this is
 * the guard at call time.
 */
export function createOutboundAgent(options: { allowPrivateNetworks: boolean; connections?: number }): Agent {
  return new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 300_000,
    connections: options.connections ?? 256,
    pipelining: 1,
    headersTimeout: 0,
    bodyTimeout: 0,
    ...(options.allowPrivateNetworks ? {} : { connect: { lookup: publicOnlyLookup } as never }),
  });
}
