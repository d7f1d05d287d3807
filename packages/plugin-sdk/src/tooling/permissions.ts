import { HOST_API, type HostFunction } from '@atrium/contracts';

/**
 * What a manifest's permissions grant, decided the same way by the server and the local harness.
 *
 * @example
 * grantedHostFunctions(['data:read', 'network:api.example.com']); // ['fetch', 'store.get', 'store.list', 'log']
 * networkAllowed(['network:*.example.com'], 'https://eu.api.example.com/v1'); // true
 */

/**
 * The host functions the permissions grant, in `HOST_API` order: `log` always, and reading the
 * store with `data:write` too.
 *
 * @example
 * grantedHostFunctions(['llm']); // ['llm.chat', 'log']
 */
export function grantedHostFunctions(permissions: readonly string[]): HostFunction[] {
  return (Object.entries(HOST_API) as [HostFunction, string | null][])
    .filter(([, permission]) => {
      if (permission === null) return true;
      if (permission === 'network:') return permissions.some((granted) => granted.startsWith('network:'));
      // A plugin that may write its store may read it back.
      if (permission === 'data:read') return permissions.includes('data:read') || permissions.includes('data:write');
      return permissions.includes(permission);
    })
    .map(([name]) => name);
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/**
 * Whether a `network:` pattern admits a host name: exactly, or for `*.example.com` any subdomain
 * of example.com (not example.com itself).
 *
 * @example
 * hostMatches('*.example.com', 'a.b.example.com'); // true
 * hostMatches('*.example.com', 'example.com'); // false
 */
export function hostMatches(pattern: string, hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return host === pattern;
}

/**
 * Whether the permissions let a plugin fetch `url`: http(s) only, no credentials in the URL, and
 * a `network:<host>[:<port>]` permission matching its host. Without a port in the permission only
 * the scheme's default port is allowed; `network:*` allows every host and port. (The server also refuses private addresses; that is not
 * decided here.)
 *
 * @example
 * networkAllowed(['network:api.example.com'], 'https://api.example.com/v1/items'); // true
 * networkAllowed(['network:api.example.com'], 'https://api.example.com:8443/'); // false
 * networkAllowed(['network:localhost:8080'], 'http://localhost:8080/'); // true
 */
export function networkAllowed(permissions: readonly string[], url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const defaultPort = DEFAULT_PORTS[parsed.protocol];
  if (!defaultPort || parsed.username || parsed.password) return false;
  const port = parsed.port || defaultPort;
  // URL keeps IPv6 literals in brackets; permissions cannot name them, so they never match.
  return permissions.some((permission) => {
    // Any host on any port: generic HTTP tools. The server still refuses private addresses.
    if (permission === 'network:*') return true;
    if (!permission.startsWith('network:')) return false;
    const [, host, allowedPort] = /^network:([^:]+)(?::(\d+))?$/.exec(permission) ?? [];
    if (!host) return false;
    return hostMatches(host, parsed.hostname) && port === (allowedPort ?? defaultPort);
  });
}
