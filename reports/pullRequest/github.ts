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
  /** Our own duplicates removed after creating (another job created the same comment at the same time). */
  removedDuplicates: number[];
}

/** The login GitHub Actions' GITHUB_TOKEN (an installation token) writes comments as. */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]';

export interface UpsertOptions {
  /**
   * Whose marked comment may be edited: only comments this login wrote. An installation token cannot
   * ask GitHub who it is (`GET /user` answers 403), so the identity is given, not looked up; default
   * `github-actions[bot]`, the author of every GITHUB_TOKEN comment. A marked comment by anyone else
   * (a user pasting the marker) is left alone and a new one is created.
   */
  author?: string;
  /** Per request, answer included; a GitHub that hangs must not hold the job until its own timeout. */
  timeoutMs?: number;
  /** Pages of 100 comments searched at most: a Link header that never ends must not loop forever. */
  maxPages?: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_PAGES = 100;

/** Octokit's RequestError (its class lives in a package of its own; its name is part of its contract). */
interface HttpError extends Error {
  status: number;
  /** Absent when no answer came (refused connection, DNS, timeout): Octokit then says status 500. */
  response?: { headers?: Record<string, string | number | undefined> };
}

function isHttpError(error: unknown): error is HttpError {
  return error instanceof Error && error.name === 'HttpError' && typeof (error as Partial<HttpError>).status === 'number';
}

/** What GitHub's 403 means: its message tells a missing permission, a rate limit and a locked conversation apart. */
function forbidden(error: HttpError, doing: string, where: string, answer: string): string {
  const remaining = error.response?.headers?.['x-ratelimit-remaining'];
  if (/rate limit/i.test(error.message) || String(remaining) === '0') {
    const reset = Number(error.response?.headers?.['x-ratelimit-reset']);
    const when = Number.isFinite(reset) && reset > 0 ? ` (it resets at ${new Date(reset * 1000).toISOString()})` : '';
    return `GitHub's rate limit stopped the attempt to ${doing} on ${where} (${answer}): run the job again later${when}`;
  }
  if (/locked/i.test(error.message)) return `GitHub refused to ${doing} on ${where} (${answer}): the pull request's conversation is locked`;
  if (/not accessible by integration|permission/i.test(error.message))
    return `GitHub refused to ${doing} on ${where} (${answer}): the token needs \`pull-requests: write\` (a pull request from a fork only gets a read-only token)`;
  return `GitHub refused to ${doing} on ${where} (${answer})`;
}

/** What a failure means for the person reading the job log: which server, which operation; the token is never part of it. */
function describeFailure(error: unknown, doing: string, target: PullRequestTarget): string {
  const where = `${target.repository} pull request #${target.pullRequest}`;
  if (error instanceof CliError) return error.message;
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof CliError) return `could not ${doing} on ${where}: ${cause.message}`;
  if (!isHttpError(error)) return `could not ${doing} on ${where} at ${target.apiUrl}: ${error instanceof Error ? error.message : String(error)}`;
  if (error.response === undefined) return `could not reach ${target.apiUrl} to ${doing} on ${where}: ${error.message}`;
  const answer = `${error.status} ${error.message.split(' - ')[0] ?? ''}`.trim();
  if (error.status === 401) return `GitHub rejected the token while trying to ${doing} on ${where} (${answer}): pass a valid github-token`;
  if (error.status === 403) return forbidden(error, doing, where, answer);
  if (error.status === 429) return `GitHub's rate limit stopped the attempt to ${doing} on ${where} (${answer}): run the job again later`;
  if (error.status === 404) return `GitHub found nothing to ${doing} on ${where} (${answer}): check the repository, the pull request number and that the token can see the repository`;
  return `GitHub (${target.apiUrl}) answered ${answer} while trying to ${doing} on ${where}`;
}

/**
 * fetch for Octokit: a timeout on every request, and only the API's own origin is ever asked (a
 * Link header pointing elsewhere is refused before the token is sent).
 */
function guardedFetch(apiUrl: string, timeoutMs: number): typeof fetch {
  const origin = new URL(apiUrl).origin;
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.origin !== origin) throw new CliError(`refused to follow a link to ${url.origin}: GitHub's API is ${origin}, the token goes nowhere else`);
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await fetch(input, { ...init, signal: timeout });
    } catch (error) {
      if (timeout.aborted) throw new Error(`no answer within ${timeoutMs / 1000} s`);
      throw error;
    }
    // A proxy or login page answers HTML with status 200; its text (which may echo the request) is not quoted.
    const type = response.headers.get('content-type') ?? '';
    if (response.ok && response.status !== 204 && !/json/i.test(type))
      throw new CliError(`${url.origin} answered ${response.status} with ${type || 'no content type'}, not GitHub's JSON: is GITHUB_API_URL GitHub's API?`);
    return response;
  };
}

interface ListedComment {
  id: number;
  body?: string | undefined;
  user: { login: string } | null;
}

/**
 * Creates the comment that starts with `marker` on the pull request, or updates the one an earlier
 * run of ours created (pull-request comments are issue comments in GitHub's REST API). Only comments
 * written by `options.author` count. After creating, the list is read again: when two jobs created
 * the same comment at once, the oldest is kept (and updated) and our newer ones are deleted.
 * Needs a token with `pull-requests: write`; every failure becomes a CliError naming the server and
 * the operation, with the token scrubbed.
 */
export async function upsertMarkedComment(target: PullRequestTarget, token: string, marker: string, body: string, options: UpsertOptions = {}): Promise<UpsertedComment> {
  const [owner, repo] = target.repository.split('/');
  if (!owner || !repo || target.repository.split('/').length !== 2) throw new CliError(`GITHUB_REPOSITORY must be owner/name, got "${target.repository}"`);
  const author = options.author || ACTIONS_BOT_LOGIN;
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const apiUrl = target.apiUrl.replace(/\/+$/, '');
  let doing = 'list the comments';
  try {
    const octokit = new Octokit({
      auth: token,
      baseUrl: apiUrl,
      userAgent: 'logbench-pr-comment',
      request: { fetch: guardedFetch(apiUrl, options.timeoutMs ?? DEFAULT_TIMEOUT_MS) },
      // Octokit logs each failed request on its own; the one line that says what to do is ours.
      log: { debug: () => undefined, info: () => undefined, warn: (message: string) => process.stderr.write(`${message.replaceAll(token, '***')}\n`), error: () => undefined },
    });
    const issue = { owner, repo, issue_number: target.pullRequest };
    const ours = (comment: ListedComment) => comment.user?.login === author && (comment.body ?? '').startsWith(marker);
    /** Our marked comments, oldest first; `all` reads every page (after creating), else it stops at the first found. */
    const findOurs = async (all: boolean): Promise<ListedComment[]> => {
      const found: ListedComment[] = [];
      let pages = 0;
      // Pages follow GitHub's Link headers (on the API's origin only, see guardedFetch).
      for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, { ...issue, per_page: 100 })) {
        if (++pages > maxPages) throw new CliError(`more than ${maxPages} pages of comments on ${target.repository} pull request #${target.pullRequest} (${apiUrl}): stopped looking for the ${marker} comment`);
        if (!Array.isArray(page.data)) throw new CliError(`${apiUrl} did not answer the list of comments on ${target.repository} pull request #${target.pullRequest} with GitHub's JSON array: is GITHUB_API_URL GitHub's API?`);
        found.push(...page.data.filter(ours));
        if (found.length > 0 && !all) break;
      }
      return found.sort((a, b) => a.id - b.id);
    };

    const [existing] = await findOurs(false);
    if (existing) {
      doing = `update comment ${existing.id}`;
      const { data } = await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body });
      return { action: 'updated', id: data.id, htmlUrl: data.html_url, removedDuplicates: [] };
    }
    doing = 'create a comment';
    const { data: created } = await octokit.rest.issues.createComment({ ...issue, body });
    doing = 'list the comments again (duplicates)';
    const [oldest, ...newer] = await findOurs(true);
    if (!oldest || oldest.id === created.id) {
      await deleteComments(octokit, owner, repo, newer.map((c) => c.id), (d) => (doing = d));
      return { action: 'created', id: created.id, htmlUrl: created.html_url, removedDuplicates: newer.map((c) => c.id) };
    }
    // Another job created the same comment first: ours is a duplicate, the oldest one carries the verdict.
    doing = `update comment ${oldest.id}`;
    const { data } = await octokit.rest.issues.updateComment({ owner, repo, comment_id: oldest.id, body });
    await deleteComments(octokit, owner, repo, newer.map((c) => c.id), (d) => (doing = d));
    return { action: 'updated', id: data.id, htmlUrl: data.html_url, removedDuplicates: newer.map((c) => c.id) };
  } catch (error) {
    throw new CliError(describeFailure(error, doing, target).replaceAll(token, '***'));
  }
}

/** Deletes our duplicate comments; one the other job deleted already (404) is gone as wanted. */
async function deleteComments(octokit: Octokit, owner: string, repo: string, ids: number[], doing: (what: string) => void): Promise<void> {
  for (const id of ids) {
    doing(`delete duplicate comment ${id}`);
    try {
      await octokit.rest.issues.deleteComment({ owner, repo, comment_id: id });
    } catch (error) {
      if (!(isHttpError(error) && error.status === 404)) throw error;
    }
  }
}
