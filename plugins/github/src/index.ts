import { definePlugin } from '@atrium/plugin-sdk';
import { getIssue } from './get-issue.ts';
import { listIssues } from './list-issues.ts';
import { readFile } from './read-file.ts';
import { searchIssues } from './search-issues.ts';

definePlugin({
  capabilities: { list_issues: listIssues, get_issue: getIssue, read_file: readFile, search_issues: searchIssues },
});
