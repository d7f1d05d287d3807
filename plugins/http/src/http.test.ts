import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostResponse } from '@atrium/plugin-sdk';
import { createHarness, type FetchHandler, type Harness } from '@atrium/plugin-sdk/testing';
import { packPlugin, validateManifest } from '@atrium/plugin-sdk/tooling';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import manifest from '../atrium.plugin.json' with { type: 'json' };

const PLUGIN_DIR = fileURLToPath(new URL('..', import.meta.url));

interface Received {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** A small REST API on api.example.com/v1: JSON resources, a text endpoint, problem+json errors. */
function exampleApi() {
  const received: Received[] = [];
  const users: Record<string, { id: string; name: string }> = { '42': { id: '42', name: 'Ada' } };
  const json = (status: number, body: unknown, type = 'application/json; charset=utf-8'): HostResponse => ({
    status,
    headers: { 'content-type': type, 'x-request-id': `req_${received.length}` },
    body: JSON.stringify(body),
  });
  const handler: FetchHandler = (url, init): HostResponse => {
    received.push({ method: init.method, url, headers: init.headers, body: init.body });
    const { pathname } = new URL(url);
    if (init.headers.authorization !== 'Bearer s3cret') return json(401, { title: 'Unauthorized' }, 'application/problem+json');
    const user = /^\/v1\/users\/([^/]+)$/.exec(pathname);
    if (user && init.method === 'GET') {
      const found = users[decodeURIComponent(user[1])];
      return found ? json(200, found) : json(404, { title: 'Not Found', status: 404 }, 'application/problem+json');
    }
    if (pathname === '/v1/users' && init.method === 'POST') return json(201, { id: '43', ...JSON.parse(init.body ?? '{}') });
    if (pathname === '/v1/notes' && init.method === 'POST')
      return { status: 202, headers: { 'content-type': 'text/plain' }, body: 'queued' };
    if (pathname === '/v1/users/42' && init.method === 'DELETE') return { status: 204, headers: {}, body: '' };
    return json(404, { title: 'Not Found' }, 'application/problem+json');
  };
  return { handler, received };
}

describe('http plugin', () => {
  const api = exampleApi();
  let workDir: string;
  let harness: Harness;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'atrium-http-'));
    const { file } = await packPlugin({ dir: PLUGIN_DIR, out: join(workDir, 'http.atrium-plugin.json') });
    harness = await createHarness({
      bundle: file,
      settings: { base_url: 'https://api.example.com/v1/' },
      secrets: { headers_json: JSON.stringify({ Authorization: 'Bearer s3cret', Accept: 'application/json' }) },
      fetch: api.handler,
    });
  });
  afterAll(async () => {
    await harness?.close();
    rmSync(workDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    api.received.length = 0;
  });

  it('declares the any-public-host network permission, and the manifest validates', () => {
    expect(manifest.permissions).toContain('network:*');
    expect(validateManifest(manifest)).toMatchObject({ valid: true });
  });

  it('fills path and query variables URL-encoded, sends the configured headers and parses JSON', async () => {
    const result = await harness.invoke('request', {
      method: 'GET',
      path: '/users/{{user_id}}',
      query: { fields: 'id,name', tag: ['a', '{{tag}}'] },
      variables: { user_id: 42, tag: 'x&y=z' },
    });
    expect(result).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'req_1' },
      body: { id: '42', name: 'Ada' },
    });
    expect(api.received).toEqual([
      {
        method: 'GET',
        url: 'https://api.example.com/v1/users/42?fields=id%2Cname&tag=a&tag=x%26y%3Dz',
        headers: { authorization: 'Bearer s3cret', accept: 'application/json' },
        body: undefined,
      },
    ]);
  });

  it('keeps a variable inside its path segment', async () => {
    const result = (await harness.invoke('request', { method: 'GET', path: '/users/{{id}}', variables: { id: '../admin' } })) as {
      status: number;
    };
    expect(api.received[0].url).toBe('https://api.example.com/v1/users/..%2Fadmin');
    expect(result.status).toBe(404);
  });

  it('templates a JSON body, keeping the type of whole-placeholder values', async () => {
    const result = await harness.invoke('request', {
      method: 'POST',
      path: '/users',
      body: { name: '{{first}} {{last}}', age: '{{age}}', admin: '{{admin}}', tags: ['{{first}}'] },
      variables: { first: 'Grace', last: 'Hopper', age: 85, admin: false },
    });
    expect(result).toMatchObject({ status: 201, body: { id: '43', name: 'Grace Hopper', age: 85, admin: false, tags: ['Grace'] } });
    expect(api.received[0].headers['content-type']).toBe('application/json');
    expect(JSON.parse(api.received[0].body ?? '')).toEqual({ name: 'Grace Hopper', age: 85, admin: false, tags: ['Grace'] });
  });

  it('sends text bodies as text and answers text, empty and error bodies as they are', async () => {
    expect(
      await harness.invoke('request', { method: 'POST', path: 'notes', body: 'Call {{who}}', variables: { who: 'Ada' } }),
    ).toMatchObject({
      status: 202,
      body: 'queued',
    });
    expect(api.received[0]).toMatchObject({ body: 'Call Ada', headers: { 'content-type': 'text/plain; charset=utf-8' } });
    expect(await harness.invoke('request', { method: 'DELETE', path: '/users/42' })).toEqual({ status: 204, headers: {}, body: null });
    expect(await harness.invoke('request', { method: 'GET', path: '/users/7' })).toMatchObject({
      status: 404,
      body: { title: 'Not Found', status: 404 },
    });
  });

  it('lets a call override a configured header', async () => {
    const result = await harness.invoke('request', { method: 'GET', path: '/users/42', headers: { Authorization: 'Bearer other' } });
    expect(result).toMatchObject({ status: 401, body: { title: 'Unauthorized' } });
    expect(api.received[0].headers.authorization).toBe('Bearer other');
  });

  it('refuses missing variables and absolute paths before sending anything', async () => {
    await expect(harness.invoke('request', { method: 'GET', path: '/users/{{id}}' })).rejects.toMatchObject({
      code: 'plugin_error',
      guestName: 'MissingVariablesError',
    });
    await expect(harness.invoke('request', { method: 'GET', path: 'https://evil.example.net/steal' })).rejects.toMatchObject({
      guestName: 'InvalidUrlError',
    });
    await expect(harness.invoke('request', { method: 'GET', path: '//evil.example.net/steal' })).rejects.toMatchObject({
      guestName: 'InvalidUrlError',
    });
    expect(api.received).toEqual([]);
  });
});
