import { Octokit } from '@octokit/rest';
import { CliError } from '../../core/errors.js';

export interface PullRequestTarget {
  /** GITHUB_API_URL: https://api.github.com, a GitHub Enterprise Server's /api/v3, or a test's loopback server. */
  apiUrl: string;
  /** owner/name, as GITHUB_REPOSITORY spells it. */
  repository: string;
  pullRequest: number;
}

export interface UpsertedComment {
  action: 'created' | 'updated';
  id: number;
  htmlUrl: string;
}

/** Octokit's RequestError (its class lives in a package of its own; its name is part of its contract). */
interface HttpError extends Error {
  status: number;
  /** Absent when no answer came (refused connection, DNS): Octokit then says status 500. */
  response?: unknown;
}

function isHttpError(error: unknown): error is HttpError {
  return error instanceof Error && error.name === 'HttpError' && typeof (error as Partial<HttpError>).status === 'number';
}

/** What a refusal means for the person reading the job log; the token is never part of it. */
function refusal(error: HttpError, doing: string, target: PullRequestTarget): string {
  const where = `${target.repository} pull request #${target.pullRequest}`;
  if (error.response === undefined) return `could not reach ${target.apiUrl} to ${doing} on ${where}: ${error.message}`;
  const answer = `${error.status} ${error.message.split(' - ')[0] ?? ''}`.trim();
  if (error.status === 401) return `GitHub rejected the token while trying to ${doing} on ${where} (${answer}): pass a valid github-token`;
  if (error.status === 403)
    return `GitHub refused to ${doing} on ${where} (${answer}): the token needs \`pull-requests: write\` (a pull request from a fork only gets a read-only token)`;
  if (error.status === 404) return `GitHub found nothing to ${doing} on ${where} (${answer}): check the repository, the pull request number and that the token can see the repository`;
  return `GitHub answered ${answer} while trying to ${doing} on ${where}`;
}

/**
 * Creates the comment that starts with `marker` on the pull request, or updates the one an earlier
 * run created (pull-request comments are issue comments in GitHub's REST API). Needs a token with
 * `pull-requests: write`; a refusal becomes a CliError naming the permission.
 */
export async function upsertMarkedComment(target: PullRequestTarget, token: string, marker: string, body: string): Promise<UpsertedComment> {
  const [owner, repo] = target.repository.split('/');
  if (!owner || !repo || target.repository.split('/').length !== 2) throw new CliError(`GITHUB_REPOSITORY must be owner/name, got "${target.repository}"`);
  const octokit = new Octokit({
    auth: token,
    baseUrl: target.apiUrl.replace(/\/+$/, ''),
    userAgent: 'logbench-pr-comment',
    // Octokit logs each failed request on its own; the one line that says what to do is ours.
    log: { debug: () => undefined, info: () => undefined, warn: (message: string) => process.stderr.write(`${message}\n`), error: () => undefined },
  });
  const issue = { owner, repo, issue_number: target.pullRequest };
  let doing = 'list the comments';
  try {
    let existing: { id: number } | undefined;
    // Pages follow GitHub's Link headers; the search stops at the first page holding the marker.
    for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, { ...issue, per_page: 100 })) {
      existing = page.data.find((comment) => (comment.body ?? '').trimStart().startsWith(marker));
      if (existing) break;
    }
    if (existing) {
      doing = `update comment ${existing.id}`;
      const { data } = await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body });
      return { action: 'updated', id: data.id, htmlUrl: data.html_url };
    }
    doing = 'create a comment';
    const { data } = await octokit.rest.issues.createComment({ ...issue, body });
    return { action: 'created', id: data.id, htmlUrl: data.html_url };
  } catch (error) {
    if (isHttpError(error)) throw new CliError(refusal(error, doing, target).replaceAll(token, '***'));
    throw error;
  }
}
