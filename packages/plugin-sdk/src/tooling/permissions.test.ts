import { describe, expect, it } from 'vitest';
import { grantedHostFunctions, hostMatches, networkAllowed } from './permissions.ts';

describe('grantedHostFunctions', () => {
  it('grants per permission, log always, and store reads with data:write', () => {
    expect(grantedHostFunctions([])).toEqual(['log']);
    expect(grantedHostFunctions(['data:read', 'network:api.example.com'])).toEqual(['fetch', 'store.get', 'store.list', 'log']);
    expect(grantedHostFunctions(['data:write', 'secrets', 'llm', 'events:emit', 'events:workspace.*'])).toEqual([
      'store.get',
      'store.list',
      'store.set',
      'store.delete',
      'secrets.get',
      'llm.chat',
      'emit',
      'log',
    ]);
  });
});

describe('networkAllowed', () => {
  const permissions = ['network:api.example.com', 'network:*.acme.test', 'network:localhost:8080', 'data:read'];

  it('admits listed hosts on their default port', () => {
    expect(networkAllowed(permissions, 'https://api.example.com/v1?q=1')).toBe(true);
    expect(networkAllowed(permissions, 'http://API.example.com/')).toBe(true);
    expect(networkAllowed(permissions, 'https://api.example.com:443/')).toBe(true);
    expect(networkAllowed(permissions, 'https://eu.api.acme.test/')).toBe(true);
    expect(networkAllowed(permissions, 'http://localhost:8080/hook')).toBe(true);
  });

  it('refuses other hosts, ports, schemes and credentials', () => {
    expect(networkAllowed(permissions, 'https://example.com/')).toBe(false);
    expect(networkAllowed(permissions, 'https://api.example.com.evil.test/')).toBe(false);
    expect(networkAllowed(permissions, 'https://acme.test/')).toBe(false);
    expect(networkAllowed(permissions, 'https://api.example.com:8443/')).toBe(false);
    expect(networkAllowed(permissions, 'http://localhost/')).toBe(false);
    expect(networkAllowed(permissions, 'ftp://api.example.com/')).toBe(false);
    expect(networkAllowed(permissions, 'https://user:secret@api.example.com/')).toBe(false);
    expect(networkAllowed(permissions, 'not a url')).toBe(false);
    expect(networkAllowed([], 'https://api.example.com/')).toBe(false);
  });

  it('matches wildcards on whole labels', () => {
    expect(hostMatches('*.example.com', 'a.b.example.com')).toBe(true);
    expect(hostMatches('*.example.com', 'badexample.com')).toBe(false);
    expect(hostMatches('*.example.com', 'example.com')).toBe(false);
  });

  it('lets network:* reach any host and port over http(s), and nothing else', () => {
    expect(networkAllowed(['network:*'], 'https://anything.example.org:8443/x')).toBe(true);
    expect(networkAllowed(['network:*'], 'ftp://files.example.org/')).toBe(false);
    expect(networkAllowed(['network:*'], 'https://user:pw@example.org/')).toBe(false);
  });
});
