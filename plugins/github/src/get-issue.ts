import { defineCapability } from '@atrium/plugin-sdk';
import { githubGet, repoPath } from './github-api.ts';
import { type GitHubComment, type GitHubIssue, presentComment, presentIssue } from './issues.ts';

const MAX_COMMENT_PAGES = 3;

/** `get_issue`: one issue (or pull request) with its conversation, oldest comment first. */
export const getIssue = defineCapability({
  input: {
    type: 'object',
    properties: { repo: { type: 'string' }, number: { type: 'integer' }, comments_limit: { type: 'integer' } },
    required: ['repo', 'number'],
  },
  async handler(input) {
    const base = `${repoPath(input.repo)}/issues/${input.number}`;
    const issue = await githubGet<GitHubIssue>(base);
    const limit = Math.min(Math.max(input.comments_limit ?? 50, 0), 300);
    const comments: GitHubComment[] = [];
    for (let page = 1; page <= MAX_COMMENT_PAGES && comments.length < Math.min(limit, issue.comments); page++) {
      const batch = await githubGet<GitHubComment[]>(`${base}/comments?per_page=100&page=${page}`);
      comments.push(...batch);
      if (batch.length < 100) break;
    }
    return {
      ...presentIssue(issue, 20_000),
      comment_list: comments.slice(0, limit).map((comment) => presentComment(comment, 5_000)),
    };
  },
});
