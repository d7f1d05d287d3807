/** The fields of GitHub's issue JSON these capabilities read. */
export interface GitHubIssue {
  number: number;
  title: string;
  state: 'open' | 'closed';
  state_reason?: string | null;
  html_url: string;
  user: { login: string } | null;
  labels: Array<{ name: string } | string>;
  assignees?: Array<{ login: string }> | null;
  comments: number;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  body?: string | null;
  pull_request?: unknown;
  repository_url?: string;
}

export interface GitHubComment {
  id: number;
  html_url: string;
  user: { login: string } | null;
  author_association?: string;
  body?: string | null;
  created_at: string;
  updated_at: string;
}

const clip = (text: string | null | undefined, limit: number) => {
  const value = text ?? '';
  return value.length > limit ? `${value.slice(0, limit)}…` : value;
};

/**
 * An issue as the capabilities answer it: flat, label names and logins only, the body clipped
 * to `bodyLimit` characters (lists keep it short; `get_issue` keeps more).
 */
export function presentIssue(issue: GitHubIssue, bodyLimit: number) {
  return {
    number: issue.number,
    title: issue.title,
    state: issue.state,
    ...(issue.state_reason ? { state_reason: issue.state_reason } : {}),
    is_pull_request: issue.pull_request !== undefined,
    author: issue.user?.login ?? null,
    labels: issue.labels.map((label) => (typeof label === 'string' ? label : label.name)),
    assignees: (issue.assignees ?? []).map((assignee) => assignee.login),
    comments: issue.comments,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.closed_at,
    html_url: issue.html_url,
    // Search results span repositories, so every issue names its own.
    ...(issue.repository_url ? { repo: issue.repository_url.replace(/^https:\/\/api\.github\.com\/repos\//, '') } : {}),
    body: clip(issue.body, bodyLimit),
  };
}

export function presentComment(comment: GitHubComment, bodyLimit: number) {
  return {
    id: comment.id,
    author: comment.user?.login ?? null,
    author_association: comment.author_association ?? null,
    created_at: comment.created_at,
    html_url: comment.html_url,
    body: clip(comment.body, bodyLimit),
  };
}
