import { defineCapability } from '@atrium/plugin-sdk';
import { githubGet, queryString } from './github-api.ts';
import { type GitHubIssue, presentIssue } from './issues.ts';

interface SearchResult {
  total_count: number;
  incomplete_results: boolean;
  items: GitHubIssue[];
}

/**
 * `search_issues`: GitHub's issue search, with its query syntax (`repo:owner/name is:issue
 * is:open label:bug author:ada …`).
 */
export const searchIssues = defineCapability({
  input: {
    type: 'object',
    properties: {
      query: { type: 'string' },
      limit: { type: 'integer' },
      sort: { enum: ['comments', 'reactions', 'created', 'updated'] },
      order: { enum: ['asc', 'desc'] },
    },
    required: ['query'],
  },
  async handler(input) {
    const limit = Math.min(Math.max(input.limit ?? 30, 1), 100);
    const result = await githubGet<SearchResult>(
      `/search/issues${queryString({ q: input.query, per_page: limit, sort: input.sort, order: input.order })}`,
    );
    return {
      total_count: result.total_count,
      incomplete_results: result.incomplete_results,
      items: result.items.slice(0, limit).map((issue) => presentIssue(issue, 500)),
    };
  },
});
