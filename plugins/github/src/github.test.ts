import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostResponse } from '@atrium/plugin-sdk';
import { createHarness, type FetchHandler, type Harness } from '@atrium/plugin-sdk/testing';
import { packPlugin } from '@atrium/plugin-sdk/tooling';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const PLUGIN_DIR = fileURLToPath(new URL('..', import.meta.url));
const TOKEN = 'github_pat_11ABCDEFG0123456789';
const REPO = 'octo-org/hello-world';
const README = '# Hello, wörld 👋\n\nSee [the docs](docs/).\n';

const user = (login: string, id: number) => ({
  login,
  id,
  node_id: `U_${id}`,
  type: 'User',
  site_admin: false,
  html_url: `https://github.com/${login}`,
});
const label = (name: string, color: string) => ({ id: name.length, node_id: `LA_${name}`, name, color, default: false, description: null });

function issueJson(number: number, title: string, extra: Record<string, unknown> = {}) {
  return {
    id: 1000 + number,
    node_id: `I_${number}`,
    url: `https://api.github.com/repos/${REPO}/issues/${number}`,
    repository_url: `https://api.github.com/repos/${REPO}`,
    html_url: `https://github.com/${REPO}/issues/${number}`,
    number,
    state: 'open',
    state_reason: null,
    title,
    body: `Body of ${title}`,
    user: user('ada', 1),
    labels: [label('bug', 'd73a4a')],
    assignee: null,
    assignees: [user('sam', 2)],
    milestone: null,
    locked: false,
    comments: 0,
    created_at: '2025-03-01T10:00:00Z',
    updated_at: '2025-03-02T10:00:00Z',
    closed_at: null,
    author_association: 'MEMBER',
    ...extra,
  };
}

/** Base64 in 60-character lines, as the contents API sends it. */
const base64Lines = (bytes: Buffer) => `${bytes.toString('base64').replace(/(.{60})/g, '$1\n')}\n`;

function contentJson(path: string, bytes: Buffer, { encoding = 'base64' } = {}) {
  return {
    type: 'file',
    encoding,
    size: bytes.length,
    name: path.split('/').at(-1),
    path,
    content: encoding === 'base64' ? base64Lines(bytes) : '',
    sha: '3d21ec53a331a6f037a91c368710b99387d012c1',
    url: `https://api.github.com/repos/${REPO}/contents/${path}?ref=main`,
    html_url: `https://github.com/${REPO}/blob/main/${path}`,
    download_url: `https://raw.githubusercontent.com/${REPO}/main/${path}`,
  };
}

interface Received {
  url: URL;
  headers: Record<string, string>;
}

/** api.github.com for one repository, speaking REST v3 JSON. */
function githubApi() {
  const received: Received[] = [];
  const state = { rateLimited: false };
  const big = `${'x'.repeat(1_100_000)}\n`;
  const json = (status: number, body: unknown, headers: Record<string, string> = {}): HostResponse => ({
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-github-api-version-selected': '2022-11-28', ...headers },
    body: JSON.stringify(body),
  });
  const notFound = () => json(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });

  const handler: FetchHandler = (url, init) => {
    const parsed = new URL(url);
    received.push({ url: parsed, headers: init.headers });
    if (state.rateLimited) {
      return json(
        403,
        { message: 'API rate limit exceeded for 203.0.113.7.' },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1741000000' },
      );
    }
    const path = parsed.pathname;
    if (path === `/repos/${REPO}/issues`) {
      const page = Number(parsed.searchParams.get('page'));
      if (page > 1) return json(200, []);
      const wanted = parsed.searchParams.get('labels')?.split(',') ?? [];
      const issues = [
        issueJson(12, 'Crash on start', { labels: [label('bug', 'd73a4a'), label('ui', '0e8a16')], comments: 2 }),
        issueJson(11, 'Fix the crash', {
          labels: [label('ui', '0e8a16')],
          pull_request: { url: `https://api.github.com/repos/${REPO}/pulls/11` },
        }),
        issueJson(9, 'Typo in docs', { labels: [label('docs', '0075ca')], assignees: [] }),
      ];
      return json(
        200,
        issues.filter((issue) => wanted.every((name) => issue.labels.some((item) => item.name === name))),
      );
    }
    if (path === `/repos/${REPO}/issues/12`) return json(200, issueJson(12, 'Crash on start', { comments: 2 }));
    if (path === `/repos/${REPO}/issues/12/comments`) {
      return json(200, [
        {
          id: 1,
          html_url: 'https://github.com/c/1',
          user: user('sam', 2),
          author_association: 'MEMBER',
          body: 'Can reproduce.',
          created_at: '2025-03-01T11:00:00Z',
          updated_at: '2025-03-01T11:00:00Z',
        },
        {
          id: 2,
          html_url: 'https://github.com/c/2',
          user: user('ada', 1),
          author_association: 'OWNER',
          body: 'Fixed in #11.',
          created_at: '2025-03-02T09:00:00Z',
          updated_at: '2025-03-02T09:00:00Z',
        },
      ]);
    }
    if (path === `/repos/${REPO}/contents/README.md`) return json(200, contentJson('README.md', Buffer.from(README)));
    if (path === `/repos/${REPO}/contents/docs/Read%20Me%20First.md` && parsed.searchParams.get('ref') === 'v1.2.0') {
      return json(200, contentJson('docs/Read Me First.md', Buffer.from('Version 1.2.0 notes\n')));
    }
    if (path === `/repos/${REPO}/contents/assets/logo.png`) {
      return json(
        200,
        contentJson('assets/logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d])),
      );
    }
    if (path === `/repos/${REPO}/contents/data/big.csv`) {
      if (init.headers.accept === 'application/vnd.github.raw+json')
        return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: big };
      return json(200, contentJson('data/big.csv', Buffer.from(big), { encoding: 'none' }));
    }
    if (path === `/repos/${REPO}/contents/docs`) {
      return json(200, [
        { ...contentJson('docs/guide.md', Buffer.from('g')), content: undefined, encoding: undefined },
        { type: 'dir', name: 'img', path: 'docs/img', size: 0, sha: 'abc', html_url: null },
      ]);
    }
    if (path === '/search/issues') {
      return json(200, { total_count: 1, incomplete_results: false, items: [{ ...issueJson(12, 'Crash on start'), score: 1 }] });
    }
    return notFound();
  };
  return { handler, received, state };
}

describe('github plugin', () => {
  const api = githubApi();
  let workDir: string;
  let bundleFile: string;
  let harness: Harness;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'atrium-github-'));
    bundleFile = (await packPlugin({ dir: PLUGIN_DIR, out: join(workDir, 'github.atrium-plugin.json') })).file;
    harness = await createHarness({ bundle: bundleFile, secrets: { token: TOKEN }, fetch: api.handler });
  });
  afterAll(async () => {
    await harness?.close();
    rmSync(workDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    api.received.length = 0;
    api.state.rateLimited = false;
  });

  it('lists issues with the REST headers and filters, leaving pull requests out', async () => {
    const result = (await harness.invoke('list_issues', { repo: REPO, labels: ['bug', 'ui'], limit: 10 })) as Record<string, any>;
    expect(result.issues.map((issue: { number: number }) => issue.number)).toEqual([12]);
    expect(result.issues[0]).toEqual({
      number: 12,
      title: 'Crash on start',
      state: 'open',
      is_pull_request: false,
      author: 'ada',
      labels: ['bug', 'ui'],
      assignees: ['sam'],
      comments: 2,
      created_at: '2025-03-01T10:00:00Z',
      updated_at: '2025-03-02T10:00:00Z',
      closed_at: null,
      html_url: `https://github.com/${REPO}/issues/12`,
      repo: REPO,
      body: 'Body of Crash on start',
    });
    const [request] = api.received;
    expect(request.headers).toEqual({
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'atrium-github-plugin',
      authorization: `Bearer ${TOKEN}`,
    });
    expect(Object.fromEntries(request.url.searchParams)).toEqual({ state: 'open', labels: 'bug,ui', per_page: '100', page: '1' });
    expect(api.received).toHaveLength(1);

    const withPulls = (await harness.invoke('list_issues', { repo: REPO, include_pull_requests: true, state: 'all' })) as Record<
      string,
      any
    >;
    expect(withPulls.issues.map((issue: { number: number; is_pull_request: boolean }) => [issue.number, issue.is_pull_request])).toEqual([
      [12, false],
      [11, true],
      [9, false],
    ]);
    const ui = (await harness.invoke('list_issues', { repo: REPO, labels: ['ui'] })) as Record<string, any>;
    expect(ui.issues.map((issue: { number: number }) => issue.number)).toEqual([12]);
  });

  it('reads an issue with its comments', async () => {
    const result = (await harness.invoke('get_issue', { repo: REPO, number: 12 })) as Record<string, any>;
    expect(result).toMatchObject({ number: 12, title: 'Crash on start', body: 'Body of Crash on start', comments: 2 });
    expect(result.comment_list).toEqual([
      {
        id: 1,
        author: 'sam',
        author_association: 'MEMBER',
        created_at: '2025-03-01T11:00:00Z',
        html_url: 'https://github.com/c/1',
        body: 'Can reproduce.',
      },
      {
        id: 2,
        author: 'ada',
        author_association: 'OWNER',
        created_at: '2025-03-02T09:00:00Z',
        html_url: 'https://github.com/c/2',
        body: 'Fixed in #11.',
      },
    ]);
    expect(api.received.map((request) => request.url.pathname)).toEqual([`/repos/${REPO}/issues/12`, `/repos/${REPO}/issues/12/comments`]);
  });

  it('decodes a file from the contents API, at a ref, with encoded paths', async () => {
    expect(await harness.invoke('read_file', { repo: REPO, path: 'README.md' })).toEqual({
      type: 'file',
      path: 'README.md',
      sha: '3d21ec53a331a6f037a91c368710b99387d012c1',
      size: Buffer.byteLength(README),
      html_url: `https://github.com/${REPO}/blob/main/README.md`,
      encoding: 'utf-8',
      content: README,
      truncated: false,
    });
    expect(await harness.invoke('read_file', { repo: REPO, path: 'docs/Read Me First.md', ref: 'v1.2.0' })).toMatchObject({
      content: 'Version 1.2.0 notes\n',
    });
  });

  it('answers binary files without content, large files raw, and directories as listings', async () => {
    expect(await harness.invoke('read_file', { repo: REPO, path: 'assets/logo.png' })).toMatchObject({ encoding: 'binary', content: null });

    const big = (await harness.invoke('read_file', { repo: REPO, path: 'data/big.csv' })) as Record<string, any>;
    expect(big).toMatchObject({ encoding: 'utf-8', truncated: true });
    expect(big.content).toHaveLength(400_000);
    expect(api.received.at(-1)?.headers.accept).toBe('application/vnd.github.raw+json');

    expect(await harness.invoke('read_file', { repo: REPO, path: 'docs/' })).toEqual({
      type: 'dir',
      path: 'docs',
      entries: [
        { name: 'guide.md', path: 'docs/guide.md', type: 'file', size: 1 },
        { name: 'img', path: 'docs/img', type: 'dir', size: 0 },
      ],
    });
  });

  it('searches issues with the query encoded', async () => {
    const result = (await harness.invoke('search_issues', { query: `repo:${REPO} is:issue is:open crash`, limit: 5 })) as Record<
      string,
      any
    >;
    expect(result).toMatchObject({ total_count: 1, incomplete_results: false, items: [{ number: 12, repo: REPO }] });
    expect(api.received[0].url.searchParams.get('q')).toBe(`repo:${REPO} is:issue is:open crash`);
    expect(api.received[0].url.searchParams.get('per_page')).toBe('5');
  });

  it("turns GitHub's errors into stable codes", async () => {
    await expect(harness.invoke('get_issue', { repo: REPO, number: 404 })).rejects.toMatchObject({
      code: 'plugin_error',
      guestName: 'GitHubApiError',
      message: expect.stringMatching(/^not_found: /),
    });
    api.state.rateLimited = true;
    await expect(harness.invoke('list_issues', { repo: REPO })).rejects.toMatchObject({
      guestName: 'GitHubApiError',
      message: expect.stringMatching(/^rate_limited: .*resets at 2025-03-03T11:06:40\.000Z/),
    });
  });

  it('refuses repository and path input that would reach other API paths', async () => {
    await expect(harness.invoke('read_file', { repo: 'octo-org/../../user', path: 'x' })).rejects.toMatchObject({
      message: expect.stringMatching(/^invalid: /),
    });
    await expect(harness.invoke('read_file', { repo: REPO, path: '../../../user/keys' })).rejects.toMatchObject({
      message: expect.stringMatching(/^invalid: /),
    });
    expect(api.received).toEqual([]);
  });

  it('reads public repositories without a token', async () => {
    const anonymous = await createHarness({ bundle: bundleFile, fetch: api.handler });
    try {
      await anonymous.invoke('read_file', { repo: REPO, path: 'README.md' });
      expect(api.received[0].headers.authorization).toBeUndefined();
    } finally {
      await anonymous.close();
    }
  });
});
