import type { Command } from 'commander';
import { z } from 'zod';
import { CliError } from '../../core/errors.js';
import { parseJsonFile } from '../../core/io/json.js';
import { readInputText } from '../../core/io/readInput.js';

/** The part of the workflow's event payload ($GITHUB_EVENT_PATH) that names the pull request. */
const PullRequestEvent = z.object({ pull_request: z.object({ number: z.number().int().positive() }).optional() });

/** The pull request to comment on: `--pr`, else the event that started the workflow; null when it has none (a push). */
function pullRequestNumber(flag: string | undefined, env: NodeJS.ProcessEnv): number | null {
  if (flag !== undefined) {
    if (!/^[1-9]\d*$/.test(flag)) throw new CliError(`--pr must be a pull request number, got "${flag}"`);
    return Number(flag);
  }
  const eventFile = env['GITHUB_EVENT_PATH'];
  if (!eventFile) throw new CliError('no pull request: give --pr N, or run in a GitHub Actions job (GITHUB_EVENT_PATH names its event)');
  const parsed = PullRequestEvent.safeParse(parseJsonFile(readInputText(eventFile), eventFile));
  if (!parsed.success) throw new CliError(`${eventFile}: pull_request.number: ${parsed.error.issues[0]?.message ?? 'not a pull request event'}`);
  return parsed.data.pull_request?.number ?? null;
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
      "create or update the pull request's one comment for a suite (found again by a hidden marker) with the gate summary and the report artifact's link; " +
        'reads GITHUB_TOKEN (needs pull-requests: write), GITHUB_REPOSITORY, GITHUB_API_URL and GITHUB_EVENT_PATH',
    )
    .requiredOption('--suite <name>', 'suite name: one comment per suite')
    .requiredOption('--summary <file>', 'the Markdown `logbench gate --summary` wrote')
    .option('--artifact-url <url>', "the report artifact's URL (actions/upload-artifact's artifact-url output)")
    .option('--artifact-name <name>', "the report artifact's name, as the link's text")
    .option('--pr <number>', 'pull request number (default: the one of the event that started the workflow)')
    .action(async (opts: { suite: string; summary: string; artifactUrl?: string; artifactName?: string; pr?: string }) => {
      const [{ PLAIN_ID }, { gateCommentBody, gateCommentMarker, upsertMarkedComment }] = await Promise.all([import('../../harness/suite/schema.js'), import('../../reports/pullRequest/index.js')]);
      if (!PLAIN_ID.test(opts.suite)) throw new CliError(`--suite must be a suite name (letters, digits, ".", "_" or "-"), got "${opts.suite}"`);
      const env = process.env;
      const summaryMarkdown = readInputText(opts.summary);
      const pullRequest = pullRequestNumber(opts.pr, env);
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
      const body = gateCommentBody({ suite: opts.suite, summaryMarkdown, artifactUrl: opts.artifactUrl, artifactName: opts.artifactName });
      const comment = await upsertMarkedComment(target, token, gateCommentMarker(opts.suite), body);
      process.stderr.write(`logbench pr-comment: ${comment.action} the ${opts.suite} comment on ${target.repository}#${pullRequest}: ${comment.htmlUrl}\n`);
      process.stdout.write(`${comment.htmlUrl}\n`);
    });
}
