import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { CliError } from '../../core/errors.js';
import { parseJsonFile } from '../../core/io/json.js';
import { readInputText } from '../../core/io/readInput.js';

/** The part of the workflow's event payload ($GITHUB_EVENT_PATH) that names the pull request. */
const PullRequestEvent = z.object({
  pull_request: z.object({ number: z.number().int().positive(), head: z.object({ sha: z.string() }).optional() }).optional(),
});

/** The pull request to comment on (`--pr`, else the event that started the workflow; null when it has none: a push) and its head commit. */
function pullRequestOf(flag: string | undefined, env: NodeJS.ProcessEnv): { number: number | null; headSha?: string | undefined } {
  const eventFile = env['GITHUB_EVENT_PATH'];
  let event: z.infer<typeof PullRequestEvent> = {};
  if (eventFile) {
    const parsed = PullRequestEvent.safeParse(parseJsonFile(readInputText(eventFile), eventFile));
    if (!parsed.success) throw new CliError(`${eventFile}: ${parsed.error.issues[0]?.path.join('.') ?? 'pull_request'}: ${parsed.error.issues[0]?.message ?? 'not a pull request event'}`);
    event = parsed.data;
  }
  // On a pull_request event GITHUB_SHA is the merge commit GitHub made; the head commit is what the author pushed.
  const headSha = event.pull_request?.head?.sha || env['GITHUB_SHA'] || undefined;
  if (flag !== undefined) {
    if (!/^[1-9]\d*$/.test(flag)) throw new CliError(`--pr must be a pull request number, got "${flag}"`);
    return { number: Number(flag), headSha };
  }
  if (!eventFile) throw new CliError('no pull request: give --pr N, or run in a GitHub Actions job (GITHUB_EVENT_PATH names its event)');
  return { number: event.pull_request?.number ?? null, headSha };
}

/** The workflow run's page, from the variables every Actions job has; undefined outside Actions. */
function workflowRunUrl(env: NodeJS.ProcessEnv): string | undefined {
  const server = env['GITHUB_SERVER_URL'] || 'https://github.com';
  const repository = env['GITHUB_REPOSITORY'];
  const runId = env['GITHUB_RUN_ID'];
  if (!repository || !runId) return undefined;
  const attempt = env['GITHUB_RUN_ATTEMPT'];
  return `${server.replace(/\/+$/, '')}/${repository}/actions/runs/${runId}${attempt && attempt !== '1' ? `/attempts/${attempt}` : ''}`;
}

function requiredEnv(env: NodeJS.ProcessEnv, name: string, why: string): string {
  const value = env[name];
  if (!value) throw new CliError(`${name} is not set: ${why}`);
  return value;
}

/** `pr-comment`: what the GitHub Action runs after `logbench gate`, once per suite. */
export function registerPrCommentCommand(program: Command): void {
  program
    .command('pr-comment')
    .description(
      "create or update the pull request's one comment for a suite (found again by a hidden marker, among comments the token's identity wrote) with the gate summary, the report artifact's link, the head commit and the workflow run; " +
        'reads GITHUB_TOKEN (needs pull-requests: write), GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_EVENT_PATH, GITHUB_SHA, GITHUB_SERVER_URL and GITHUB_RUN_ID',
    )
    .requiredOption('--suite <name>', 'suite name: one comment per suite')
    .requiredOption('--summary <file>', 'the Markdown `logbench gate --summary` wrote')
    .option('--artifact-url <url>', "the report artifact's URL (actions/upload-artifact's artifact-url output)")
    .option('--artifact-name <name>', "the report artifact's name, as the link's text")
    .option('--report <file>', "the HTML report the artifact should hold: when it is missing (logbench report failed), the comment does not point at it")
    .option('--comment-key <key>', 'tells apart jobs gating the same suite (default: the suite name): one comment per suite and key')
    .option('--comment-author <login>', `whose marked comment may be updated (default: LOGBENCH_COMMENT_AUTHOR, else github-actions[bot], the author of GITHUB_TOKEN's comments); give your login with a personal token`)
    .option('--pr <number>', 'pull request number (default: the one of the event that started the workflow)')
    .action(async (opts: { suite: string; summary: string; artifactUrl?: string; artifactName?: string; report?: string; commentKey?: string; commentAuthor?: string; pr?: string }) => {
      const [{ PLAIN_ID }, { gateCommentBody, gateCommentMarker, upsertMarkedComment }] = await Promise.all([import('../../harness/suite/schema.js'), import('../../reports/pullRequest/index.js')]);
      if (!PLAIN_ID.test(opts.suite)) throw new CliError(`--suite must be a suite name (letters, digits, ".", "_" or "-"), got "${opts.suite}"`);
      if (opts.commentKey !== undefined && opts.commentKey !== '' && !PLAIN_ID.test(opts.commentKey))
        throw new CliError(`--comment-key must be letters, digits, ".", "_" or "-", got "${opts.commentKey}"`);
      const env = process.env;
      const summaryMarkdown = readInputText(opts.summary);
      const { number: pullRequest, headSha } = pullRequestOf(opts.pr, env);
      if (pullRequest === null) {
        process.stderr.write(`logbench pr-comment: the event is not a pull request: no comment for suite ${opts.suite}\n`);
        return;
      }
      const token = requiredEnv(env, 'GITHUB_TOKEN', 'pass the github-token input (a token with pull-requests: write)');
      const target = {
        apiUrl: env['GITHUB_API_URL'] || 'https://api.github.com',
        repository: requiredEnv(env, 'GITHUB_REPOSITORY', 'give the repository as owner/name'),
        pullRequest,
      };
      const body = gateCommentBody({
        suite: opts.suite,
        key: opts.commentKey,
        summaryMarkdown,
        artifactUrl: opts.artifactUrl,
        artifactName: opts.artifactName,
        reportBuilt: opts.report === undefined ? undefined : existsSync(opts.report),
        provenance: { headSha, runUrl: workflowRunUrl(env), at: new Date() },
      });
      const author = opts.commentAuthor || env['LOGBENCH_COMMENT_AUTHOR'] || undefined;
      const comment = await upsertMarkedComment(target, token, gateCommentMarker(opts.suite, opts.commentKey), body, { author });
      if (comment.removedDuplicates.length > 0)
        process.stderr.write(`logbench pr-comment: removed ${comment.removedDuplicates.length} duplicate ${opts.suite} comment(s) another job created at the same time: ${comment.removedDuplicates.join(', ')}\n`);
      process.stderr.write(`logbench pr-comment: ${comment.action} the ${opts.suite} comment on ${target.repository}#${pullRequest}: ${comment.htmlUrl}\n`);
      process.stdout.write(`${comment.htmlUrl}\n`);
    });
}
