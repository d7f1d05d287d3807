import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';

const VALID_MASTER_KEY = Buffer.alloc(32, 1).toString('base64');

function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('parseConfig accepted an invalid environment');
}

describe('parseConfig defaults', () => {
  it('runs embedded with no configuration at all', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      mode: 'all',
      host: '0.0.0.0',
      port: 3000,
      dataDir: resolve('./data'),
      databaseUrl: undefined,
      redisUrl: undefined,
      masterKey: undefined,
      allowPrivateNetworks: true,
      cookieSecure: false,
      logLevel: 'info',
    });
  });

  it('resolves a relative data directory to an absolute path', () => {
    expect(parseConfig({ ATRIUM_DATA_DIR: 'var/atrium' }).dataDir).toBe(resolve('var/atrium'));
  });

  it('refuses private networks by default once an external database is configured', () => {
    const config = parseConfig({ DATABASE_URL: 'postgres://atrium@db.internal:5432/atrium' });
    expect(config.databaseUrl).toBe('postgres://atrium@db.internal:5432/atrium');
    expect(config.allowPrivateNetworks).toBe(false);
  });

  it('lets the operator override the private-network default either way', () => {
    expect(
      parseConfig({ DATABASE_URL: 'postgres://atrium@db.internal:5432/atrium', ATRIUM_ALLOW_PRIVATE_NETWORKS: 'true' })
        .allowPrivateNetworks,
    ).toBe(true);
    expect(parseConfig({ ATRIUM_ALLOW_PRIVATE_NETWORKS: 'no' }).allowPrivateNetworks).toBe(false);
  });

  it('marks cookies secure when the public URL is https, and drops its trailing slash', () => {
    const config = parseConfig({ ATRIUM_PUBLIC_URL: 'https://atrium.example.com/' });
    expect(config.publicUrl).toBe('https://atrium.example.com');
    expect(config.cookieSecure).toBe(true);
  });

  it('accepts a 32-byte base64 master key', () => {
    expect(parseConfig({ ATRIUM_MASTER_KEY: VALID_MASTER_KEY }).masterKey).toBe(VALID_MASTER_KEY);
  });
});

describe('parseConfig errors', () => {
  it.each(['70000', '-1', 'abc', '80.5'])('rejects PORT=%s, naming the variable', (port) => {
    expect(configErrorOf({ PORT: port }).message).toMatch(/\bPORT\b/);
  });

  it.each([
    ['16 bytes', Buffer.alloc(16, 1).toString('base64')],
    ['33 bytes', Buffer.alloc(33, 1).toString('base64')],
  ])('rejects a master key of %s, naming the variable', (_length, key) => {
    expect(configErrorOf({ ATRIUM_MASTER_KEY: key }).message).toMatch(/\bATRIUM_MASTER_KEY\b/);
  });

  it('names every invalid variable at once', () => {
    const message = configErrorOf({ PORT: 'abc', ATRIUM_MASTER_KEY: 'short', LOG_LEVEL: 'loud' }).message;
    expect(message).toMatch(/\bPORT\b/);
    expect(message).toMatch(/\bATRIUM_MASTER_KEY\b/);
    expect(message).toMatch(/\bLOG_LEVEL\b/);
  });
});

describe('scale-out and shared providers', () => {
  it('runs one process per core only when the state is shared, and one on the embedded database', () => {
    const shared = { DATABASE_URL: 'postgres://x@127.0.0.1/db', REDIS_URL: 'redis://127.0.0.1:6379', ATRIUM_MASTER_KEY: VALID_MASTER_KEY };
    expect(parseConfig({ ...shared, ATRIUM_PROCESSES: '3' }).processes).toBe(3);
    expect(parseConfig(shared).processes).toBe(availableParallelism());
    const embedded = parseConfig({ ATRIUM_PROCESSES: '4' });
    expect(embedded.processes).toBe(1);
    expect(embedded.processesNote).toContain('ATRIUM_PROCESSES needs DATABASE_URL and REDIS_URL');
  });

  it('reads shared provider connections, taking keys from named variables, and names what is wrong', () => {
    const directory = mkdtempSync(join(tmpdir(), 'atrium-config-'));
    const file = (name: string, content: string) => {
      const path = join(directory, name);
      writeFileSync(path, content);
      return path;
    };
    const good = file('good.json', JSON.stringify([{ name: 'house', type: 'openai', api_key_env: 'HOUSE_KEY', organizations: ['org_1'] }]));
    expect(parseConfig({ ATRIUM_SHARED_PROVIDERS_FILE: good, HOUSE_KEY: 'sk-1' }).sharedProviders).toEqual([
      expect.objectContaining({ name: 'house', type: 'openai', apiKey: 'sk-1', organizations: ['org_1'] }),
    ]);
    expect(configErrorOf({ ATRIUM_SHARED_PROVIDERS_FILE: good }).message).toContain('HOUSE_KEY is not set');
    expect(configErrorOf({ ATRIUM_SHARED_PROVIDERS_FILE: file('bad.json', '{nope') }).message).toContain('cannot read');
    const wrongType = file('type.json', JSON.stringify([{ name: 'x', type: 'bard' }]));
    expect(configErrorOf({ ATRIUM_SHARED_PROVIDERS_FILE: wrongType }).message).toContain('[0.type]');
  });
});
