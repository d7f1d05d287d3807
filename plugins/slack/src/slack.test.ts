import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHarness, type FetchHandler, type Harness } from '@atrium/plugin-sdk/testing';
import { packPlugin } from '@atrium/plugin-sdk/tooling';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const PLUGIN_DIR = fileURLToPath(new URL('..', import.meta.url));
const TOKEN = 'xoxb-test-token';

interface Posted {
  authorization: string;
  contentType: string;
  body: Record<string, unknown>;
}

const CHANNELS = [
  { id: 'C0GENERAL', name: 'general', is_private: false, is_member: true, num_members: 42, topic: 'Company news', purpose: 'Everyone' },
  { id: 'C0RANDOM', name: 'random', is_private: false, is_member: false, num_members: 40, topic: '', purpose: 'Off topic' },
  { id: 'G0LEADS', name: 'leads', is_private: true, is_member: true, num_members: 5, topic: 'Weekly sync', purpose: '' },
];

/** The Slack Web API as the plugin sees it: real request checks, real response bodies. */
function slackApi() {
  const posted: Posted[] = [];
  const listed: URLSearchParams[] = [];
  const state = { rateLimited: false };

  const channelJson = (channel: (typeof CHANNELS)[number]) => ({
    id: channel.id,
    name: channel.name,
    is_channel: !channel.is_private,
    is_group: channel.is_private,
    is_im: false,
    is_mpim: false,
    is_private: channel.is_private,
    created: 1449252889,
    is_archived: false,
    is_general: channel.name === 'general',
    name_normalized: channel.name,
    is_shared: false,
    is_member: channel.is_member,
    topic: { value: channel.topic, creator: '', last_set: 0 },
    purpose: { value: channel.purpose, creator: '', last_set: 0 },
    previous_names: [],
    num_members: channel.num_members,
  });

  const json = (body: unknown, status = 200) => ({
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  });

  const handler: FetchHandler = (url, init) => {
    const parsed = new URL(url);
    if (init.headers.authorization !== `Bearer ${TOKEN}`) return json({ ok: false, error: 'invalid_auth' });
    if (state.rateLimited) return { status: 429, headers: { 'retry-after': '30' }, body: '' };
    if (parsed.pathname === '/api/chat.postMessage' && init.method === 'POST') {
      const body = JSON.parse(init.body ?? '{}') as Record<string, unknown>;
      posted.push({ authorization: init.headers.authorization, contentType: init.headers['content-type'], body });
      const channel = CHANNELS.find((candidate) => candidate.id === body.channel || `#${candidate.name}` === body.channel);
      if (!channel) return json({ ok: false, error: 'channel_not_found' });
      if (!channel.is_member) return json({ ok: false, error: 'not_in_channel' });
      const ts = `1712345678.00${posted.length}00`;
      return json({
        ok: true,
        channel: channel.id,
        ts,
        message: {
          type: 'message',
          subtype: 'bot_message',
          text: body.text,
          ts,
          bot_id: 'B0BOT',
          ...(body.thread_ts ? { thread_ts: body.thread_ts } : {}),
        },
      });
    }
    if (parsed.pathname === '/api/conversations.list' && init.method === 'GET') {
      listed.push(parsed.searchParams);
      const limit = Number(parsed.searchParams.get('limit'));
      const start = Number(parsed.searchParams.get('cursor') ? atob(parsed.searchParams.get('cursor')!) : 0);
      const page = CHANNELS.slice(start, start + Math.min(limit, 2));
      const next = start + page.length < CHANNELS.length ? btoa(String(start + page.length)) : '';
      return json({ ok: true, channels: page.map(channelJson), response_metadata: { next_cursor: next } });
    }
    return json({ ok: false, error: 'unknown_method' }, 404);
  };
  return { handler, posted, listed, state };
}

describe('slack plugin', () => {
  const api = slackApi();
  let workDir: string;
  let harness: Harness;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'atrium-slack-'));
    const { file } = await packPlugin({ dir: PLUGIN_DIR, out: join(workDir, 'slack.atrium-plugin.json') });
    harness = await createHarness({
      bundle: file,
      secrets: { bot_token: TOKEN },
      settings: { default_channel: '#general' },
      fetch: api.handler,
    });
  });
  afterAll(async () => {
    await harness?.close();
    rmSync(workDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    api.posted.length = 0;
    api.listed.length = 0;
    api.state.rateLimited = false;
  });

  it('posts to the default channel with the bot token and a JSON body', async () => {
    const result = await harness.invoke('post_message', { text: 'Deployed *v1.2*' });
    expect(result).toEqual({ channel: 'C0GENERAL', ts: '1712345678.00100' });
    expect(api.posted).toEqual([
      {
        authorization: `Bearer ${TOKEN}`,
        contentType: 'application/json; charset=utf-8',
        body: { channel: '#general', text: 'Deployed *v1.2*' },
      },
    ]);
    expect(harness.fetched.map((entry) => entry.url)).toContain('https://slack.com/api/chat.postMessage');
  });

  it('replies in a thread of the given channel', async () => {
    const result = await harness.invoke('post_message', { channel: 'G0LEADS', text: 'Agenda attached', thread_ts: '1712000000.000100' });
    expect(result).toEqual({ channel: 'G0LEADS', ts: '1712345678.00100', thread_ts: '1712000000.000100' });
    expect(api.posted[0].body).toEqual({ channel: 'G0LEADS', text: 'Agenda attached', thread_ts: '1712000000.000100' });
  });

  it("fails with Slack's error code when Slack answers ok: false", async () => {
    await expect(harness.invoke('post_message', { channel: '#nowhere', text: 'Hi' })).rejects.toMatchObject({
      code: 'plugin_error',
      guestName: 'SlackApiError',
      message: expect.stringMatching(/: channel_not_found$/),
    });
    await expect(harness.invoke('post_message', { channel: 'C0RANDOM', text: 'Hi' })).rejects.toMatchObject({
      guestName: 'SlackApiError',
      message: expect.stringMatching(/: not_in_channel$/),
    });
  });

  it('reports a rate limit with its retry delay', async () => {
    api.state.rateLimited = true;
    await expect(harness.invoke('list_channels', {})).rejects.toMatchObject({
      guestName: 'SlackApiError',
      message: expect.stringMatching(/retry after 30 s\): ratelimited$/),
    });
  });

  it('lists channels across pages, up to the limit', async () => {
    const all = (await harness.invoke('list_channels', {})) as { channels: Array<Record<string, unknown>>; has_more: boolean };
    expect(all.has_more).toBe(false);
    expect(all.channels).toEqual([
      { id: 'C0GENERAL', name: 'general', is_private: false, is_member: true, num_members: 42, topic: 'Company news', purpose: 'Everyone' },
      { id: 'C0RANDOM', name: 'random', is_private: false, is_member: false, num_members: 40, topic: '', purpose: 'Off topic' },
      { id: 'G0LEADS', name: 'leads', is_private: true, is_member: true, num_members: 5, topic: 'Weekly sync', purpose: '' },
    ]);
    expect(api.listed).toHaveLength(2);
    expect(api.listed[0].get('types')).toBe('public_channel,private_channel');
    expect(api.listed[0].get('exclude_archived')).toBe('true');
    expect(api.listed[1].get('cursor')).toBe(btoa('2'));

    const first = (await harness.invoke('list_channels', { limit: 1 })) as { channels: unknown[]; has_more: boolean };
    expect(first.channels).toHaveLength(1);
    expect(first.has_more).toBe(true);
  });

  it('refuses to run without a bot token', async () => {
    const bare = await createHarness({ dir: PLUGIN_DIR, fetch: api.handler });
    try {
      await expect(bare.invoke('post_message', { channel: 'C0GENERAL', text: 'Hi' })).rejects.toMatchObject({
        guestName: 'SlackApiError',
        message: expect.stringMatching(/: not_authed$/),
      });
      expect(bare.fetched).toEqual([]);
    } finally {
      await bare.close();
    }
  });
});
