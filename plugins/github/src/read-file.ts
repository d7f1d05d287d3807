import { defineCapability } from '@atrium/plugin-sdk';
import { decodeBase64, decodeUtf8 } from './encoding.ts';
import { GitHubApiError, githubGet, queryString, repoPath } from './github-api.ts';

// The answer must stay well under the sandbox's 1 MiB output limit.
const MAX_TEXT_CHARS = 400_000;

interface ContentEntry {
  type: 'file' | 'dir' | 'symlink' | 'submodule';
  name: string;
  path: string;
  sha: string;
  size: number;
  html_url: string | null;
  encoding?: 'base64' | 'none' | '';
  content?: string;
  target?: string;
  submodule_git_url?: string;
}

/** Each path segment encoded, the slashes kept. */
const encodePath = (path: string) =>
  path
    .split('/')
    .filter((segment) => segment !== '')
    .map(encodeURIComponent)
    .join('/');

function textResult(entry: ContentEntry, text: string | null) {
  const truncated = text !== null && text.length > MAX_TEXT_CHARS;
  return {
    type: 'file' as const,
    path: entry.path,
    sha: entry.sha,
    size: entry.size,
    html_url: entry.html_url,
    encoding: text === null ? ('binary' as const) : ('utf-8' as const),
    content: text === null ? null : truncated ? text.slice(0, MAX_TEXT_CHARS) : text,
    truncated,
  };
}

/**
 * `read_file`: a file's text from the contents API (base64 decoded), at `ref` when given.
 * Binary files answer `content: null`; files over 1 MB, which the contents API sends without
 * content, are fetched again as raw; a directory answers its listing.
 */
export const readFile = defineCapability({
  input: {
    type: 'object',
    properties: { repo: { type: 'string' }, path: { type: 'string' }, ref: { type: 'string' } },
    required: ['repo', 'path'],
  },
  async handler(input) {
    if (input.path.split('/').some((segment) => segment === '..' || segment === '.')) {
      throw new GitHubApiError('invalid', 400, 'path must not contain . or .. segments');
    }
    const path = encodePath(input.path);
    const url = `${repoPath(input.repo)}/contents/${path}${queryString({ ref: input.ref })}`;
    const answer = await githubGet<ContentEntry | ContentEntry[]>(url);
    if (Array.isArray(answer)) {
      return {
        type: 'dir' as const,
        path: input.path.replace(/^\/+|\/+$/g, ''),
        entries: answer.map((entry) => ({ name: entry.name, path: entry.path, type: entry.type, size: entry.size })),
      };
    }
    if (answer.type === 'symlink') return { type: 'symlink' as const, path: answer.path, target: answer.target ?? null };
    if (answer.type === 'submodule') return { type: 'submodule' as const, path: answer.path, url: answer.submodule_git_url ?? null };
    if (answer.encoding === 'base64' && typeof answer.content === 'string') {
      return textResult(answer, decodeUtf8(decodeBase64(answer.content)));
    }
    // Over 1 MB the contents API leaves content empty (encoding "none"): ask for the raw bytes.
    const raw = await githubGet<string>(url, { accept: 'application/vnd.github.raw+json', raw: true });
    return textResult(answer, raw.includes('\u0000') ? null : raw);
  },
});
