import { defineCapability } from '@atrium/plugin-sdk';
import { githubGet, queryString, repoPath } from './github-api.ts';
import { type GitHubIssue, presentIssue } from './issues.ts';

const MAX_PAGES = 5;

/**
 * `list_issues`: a repository's issues, most recently created first. The issues endpoint also
 * returns pull requests; they are left out unless asked for, and paging continues so `limit`
 * still counts issues.
 */
export const listIssues = defineCapability({
  input: {
    type: 'object',
    properties: {
      repo: { type: 'string' },
      state: { enum: ['open', 'closed', 'all'] },
      labels: { type: 'array', items: { type: 'string' } },
      limit: { type: 'integer' },
      include_pull_requests: { type: 'boolean' },
    },
    required: ['repo'],
  },
  async handler(input) {
    const base = `${repoPath(input.repo)}/issues`;
    const limit = Math.min(Math.max(input.limit ?? 30, 1), 100);
    const found: GitHubIssue[] = [];
    for (let page = 1; page <= MAX_PAGES && found.length < limit; page++) {
      const batch = await githubGet<GitHubIssue[]>(
        base + queryString({ state: input.state ?? 'open', labels: input.labels?.join(','), per_page: 100, page }),
      );
      found.push(...batch.filter((issue) => input.include_pull_requests || issue.pull_request === undefined));
      if (batch.length < 100) break;
    }
    const issues = found.slice(0, limit).map((issue) => presentIssue(issue, 500));
    return { repo: input.repo, issues, count: issues.length };
  },
});
