// The composite action (action.yml) as a pull request's job runs it: its steps' scripts run in bash
// as the runner runs them (test/support/composite-action.ts), against real runs in a real DuckDB
// file, posting through @octokit/rest to a loopback server that answers with GitHub's recorded
// response shapes (test/fixtures/github-rest/).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHarnessCases } from '../../bench/harnessCases.js';
import { REPO, runCli } from '../support/cli.js';
import { runCompositeAction, type ActionRun } from '../support/composite-action.js';
import { startLoopbackGitHub, type LoopbackGitHub, type StoredComment } from '../support/loopback-github.js';
import { logAnalysisAnswer, startLoopbackOpenAI, type LoopbackOpenAI } from '../support/loopback-openai.js';
import { writeOpenAISuite } from '../support/run-fixtures.js';

const CASES = 30;
const references = makeHarnessCases(CASES).map((c) => c.reference);
const SUITES = ['loopback', 'loopback-b'];
const REPOSITORY = 'octo-org/model-repo';
const PR = 7;
const WRITE_TOKEN = 'ghs_writeTokenForTheLoopbackServer0001';
const READ_TOKEN = 'ghs_readOnlyTokenForTheLoopbackServer02';
const ARTIFACT_URL = 'https://github.com/octo-org/model-repo/actions/runs/4242/artifacts/1717';
/** The pull request's head commit (the event's pull_request.head.sha) and the merge commit GitHub sets as GITHUB_SHA. */
const HEAD_SHA = 'c0ffee1111111111111111111111111111111111';
const MERGE_SHA = 'eeee000000000000000000000000000000000000';

/** `base` knows every even case, `better` all of them, `worse` none. */
function answerOf(prompt: string, model: string): string {
  const index = Number(/# case-(\d+)/.exec(prompt)?.[1]);
  if (model === 'worse') return logAnalysisAnswer(`wrong ${prompt}`);
  return model === 'better' || index % 2 === 0 ? (references[index] as string) : logAnalysisAnswer(prompt);
}

let openai: LoopbackOpenAI;
let github: LoopbackGitHub;
let db: string;
const dirs: string[] = [];
/** Other people's comments already on the pull request: more than one page of 100, so the marker is searched across pages. */
const discussion: StoredComment[] = Array.from({ length: 120 }, (_, i) => ({
  id: 1000 + i,
  body: i === 3 ? '> <!-- logbench:gate suite=loopback --> quoted by a reviewer, not the gate’s comment' : `review note ${i}`,
  login: 'reviewer',
  created_at: '2026-12-06T10:00:00Z',
  updated_at: '2026-12-06T10:00:00Z',
}));
/** A user pasting the gate's exact marker and a verdict of their own: not the bot's comment, so never updated. */
const PLANTED: StoredComment = { id: 999, body: '<!-- logbench:gate suite=loopback -->\n### ✅ logbench gate: pass (planted)', login: 'mallory', created_at: '2026-12-06T09:00:00Z', updated_at: '2026-12-06T09:00:00Z' };
discussion.unshift(PLANTED);

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-action-'));
  dirs.push(dir);
  return dir;
}

beforeAll(async () => {
  openai = await startLoopbackOpenAI({ answer: (prompt, request) => answerOf(prompt, request.model) });
  github = await startLoopbackGitHub({ repository: REPOSITORY, writeTokens: [WRITE_TOKEN], pullRequests: { [PR]: discussion, 8: [] } });
  db = path.join(tempDir(), 'runs.duckdb');
  for (const suite of SUITES) {
    const written = writeOpenAISuite({ url: openai.url, cases: CASES, models: ['base', 'better', 'worse'] });
    dirs.push(written.dir);
    writeFileSync(written.suite, readFileSync(written.suite, 'utf8').replace('name: loopback\n', `name: ${suite}\n`));
    const ran = await runCli(['run', written.suite, '--db', db, '--no-report']);
    expect(ran.code, ran.stderr).toBe(0);
  }
}, 240_000);

afterAll(async () => {
  await Promise.all([openai?.close(), github?.close()]);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Job {
  run: ActionRun;
  stepSummary: string;
  uploaded: Record<string, string>[];
}

/** One job of the pull request's workflow reaching the action's step. */
async function runAction(inputs: Record<string, string>, options: { token?: string; pr?: number; job?: string; attempt?: number } = {}): Promise<Job> {
  const workspace = tempDir();
  const event = path.join(workspace, 'event.json');
  writeFileSync(event, JSON.stringify({ action: 'synchronize', number: options.pr ?? PR, pull_request: { number: options.pr ?? PR, base: { ref: 'main' }, head: { sha: HEAD_SHA } } }));
  const stepSummary = path.join(workspace, 'step-summary.md');
  writeFileSync(stepSummary, '');
  const uploaded: Record<string, string>[] = [];
  const run = await runCompositeAction(path.join(REPO, 'action.yml'), {
    inputs: { suites: SUITES.join('\n'), db, candidate: 'latest:{suite}/better', baseline: 'latest:{suite}/base', ...inputs },
    env: {
      GITHUB_REPOSITORY: REPOSITORY,
      GITHUB_API_URL: github.url,
      GITHUB_EVENT_PATH: event,
      GITHUB_STEP_SUMMARY: stepSummary,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_SHA: MERGE_SHA,
      GITHUB_JOB: options.job ?? 'gate',
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_ATTEMPT: String(options.attempt ?? 1),
    },
    githubToken: options.token ?? WRITE_TOKEN,
    actionPath: REPO,
    workspace,
    uses: {
      'actions/upload-artifact@v4': (withInputs) => {
        uploaded.push({ ...withInputs, files: readdirSync(withInputs['path'] as string).sort().join(' ') });
        return { 'artifact-id': '1717', 'artifact-url': ARTIFACT_URL };
      },
    },
  });
  return { run, stepSummary: readFileSync(stepSummary, 'utf8'), uploaded };
}

const gateComments = (suite: string) => (github.comments.get(PR) ?? []).filter((c) => c.login === 'github-actions[bot]' && c.body.startsWith(`<!-- logbench:gate suite=${suite} -->`));
const DEFAULT_ARTIFACT = /^logbench-gate-gate-[0-9a-f]{8}$/;

/** The README shows the comment as GitHub renders it; run ids, figures and the cost's direction change from run to run, its shape must not. */
const shape = (markdown: string) =>
  markdown
    .replace(/logbench-gate-gate-[0-9a-f]{8}/g, 'ARTIFACT')
    .replace(/\b[0-9a-f]{40}\b/g, 'SHA')
    .replace(/\b\d{8}T\d{6}Z-[0-9a-f]+\b/g, 'RUN')
    .replace(/[-+]?\d+(\.\d+)?(e[-+]?\d+)?/g, 'N')
    .replace(/ [▲▼]/g, '');
const README_BLOCK = /<!-- pr-comment-example:begin -->\n([\s\S]*?)<!-- pr-comment-example:end -->/;

describe('action.yml (composite action) on a pull request', () => {
  it('first run: gates each suite, uploads the reports, writes the job summary and creates one comment per suite', async () => {
    const { run, stepSummary, uploaded } = await runAction({});
    expect(run.failed, run.log).toBe(false);
    expect(run.outputs).toEqual({ 'exit-code': '0', 'artifact-url': ARTIFACT_URL });
    expect(run.steps.map((s) => s.outcome)).toEqual(['success', 'success', 'success', 'success', 'success']);
    expect(uploaded).toEqual([{ name: expect.stringMatching(DEFAULT_ARTIFACT), path: expect.stringMatching(/logbench-gate\.\w{6}$/), 'if-no-files-found': 'ignore', overwrite: 'false', files: 'loopback-b.html loopback-b.md loopback.html loopback.md' }]);
    const artifact = uploaded[0]?.['name'] ?? '';
    expect(stepSummary.match(/^### ✅ logbench gate: pass/gm)).toHaveLength(2);

    for (const suite of SUITES) {
      const [comment, ...more] = gateComments(suite);
      expect(more).toEqual([]);
      const body = comment?.body ?? '';
      expect(body).toMatch(/^### ✅ logbench gate: pass \(\d+ metrics\)$/m);
      expect(body).toContain(`(${suite}/better)`);
      expect(body).toContain('| metric | candidate | baseline | Δ | 95 % interval | p | test | rule | verdict |');
      expect(body).toMatch(/^\| fuzzy \| 1 \| 0\.\d+ \| \+0\.\d+ ▲ \| \[\+0\.\d+, \+0\.\d+\] \| [<\d.]+ \| paired-bootstrap-two-sided \| drop ≤ 0 \(α 0\.05\) \| pass \|$/m);
      expect(body).toContain('| cost (not gated) | candidate | baseline | Δ | ratio | note |');
      expect(body).toContain(`📎 HTML report: [${artifact}](${ARTIFACT_URL}) (download the artifact, open \`${suite}.html\`)`);
      // Which commit (the pull request's head, not the merge commit), which workflow run, and when.
      expect(body.trimEnd().split('\n').at(-1)).toMatch(
        new RegExp(`^<sub>logbench gate · suite \`${suite}\` · commit ${HEAD_SHA} · \\[workflow run\\]\\(https://github\\.com/${REPOSITORY}/actions/runs/4242\\) · \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ · `),
      );
    }
    // The reviewer's quote of the marker is not the gate's comment: it is left as it was; nor is a user's comment that starts with the marker.
    expect(github.comments.get(PR)?.find((c) => c.id === 1003)?.body).toMatch(/^> <!-- logbench:gate/);
    expect(github.comments.get(PR)?.find((c) => c.id === PLANTED.id)?.body).toBe(PLANTED.body);
    expect(github.comments.get(PR)).toHaveLength(discussion.length + 2);
    // The comments were looked for across both pages, following GitHub's Link header to /repositories/{id}/….
    expect(github.requests.filter((r) => r.method === 'GET').map((r) => r.path)).toContain(`/repositories/1296269/issues/${PR}/comments?per_page=100&page=2`);
    expect(github.requests.every((r) => r.authorization === `token ${WRITE_TOKEN}`)).toBe(true);

    const comment = gateComments('loopback')[0]?.body ?? '';
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    if (process.env.LOGBENCH_UPDATE_README === '1') {
      writeFileSync(path.join(REPO, 'README.md'), readme.replace(README_BLOCK, () => `<!-- pr-comment-example:begin -->\n${comment}<!-- pr-comment-example:end -->`));
    } else {
      expect(shape(README_BLOCK.exec(readme)?.[1] ?? 'README.md has no pr-comment-example block'), 'README.md shows the comment as the action writes it (LOGBENCH_UPDATE_README=1 rewrites it)').toBe(shape(comment));
    }
  }, 180_000);

  it('second run with a regressed candidate: updates the same comments (no duplicate), and the step fails with the gate’s exit code', async () => {
    const before = new Map(SUITES.map((suite) => [suite, gateComments(suite).map((c) => c.id)]));
    const posted = github.requests.length;
    const { run, stepSummary } = await runAction({ candidate: 'latest:{suite}/worse' });
    expect(run.failed).toBe(true);
    expect(run.exitCode).toBe(1);
    expect(run.outputs['exit-code']).toBe('1');
    // The comments are posted before the step fails; the last step carries the gate's code.
    expect(run.steps.map((s) => [s.outcome, s.exitCode])).toEqual([['success', 0], ['success', 0], ['success', 0], ['success', 0], ['failure', 1]]);
    expect(stepSummary.match(/^### ❌ logbench gate: regression in /gm)).toHaveLength(2);
    for (const suite of SUITES) {
      expect(gateComments(suite).map((c) => c.id)).toEqual(before.get(suite));
      expect(gateComments(suite)[0]?.body).toMatch(/^### ❌ logbench gate: regression in .*fuzzy/m);
      expect(gateComments(suite)[0]?.body).toContain(`(${suite}/worse)`);
    }
    expect(github.comments.get(PR)).toHaveLength(discussion.length + 2);
    const writes = github.requests.slice(posted).filter((r) => r.method !== 'GET');
    expect(writes.map((r) => r.method)).toEqual(['PATCH', 'PATCH']);
  }, 180_000);

  it('a token without pull-requests: write: a warning on the run names the permission, the step keeps the gate’s exit code, and the token never reaches the log', async () => {
    const { run } = await runAction({ 'github-token': READ_TOKEN });
    const comment = run.steps.find((s) => s.name === 'Comment on the pull request');
    expect(comment?.outcome).toBe('success');
    expect(run.failed).toBe(false);
    expect(run.outputs['exit-code']).toBe('0');
    expect(comment?.stdout.match(/^::warning title=no pull request comment for (\S+)::/gm)).toEqual(SUITES.map((suite) => `::warning title=no pull request comment for ${suite}::`));
    expect(comment?.stdout).toMatch(
      /^::warning title=no pull request comment for loopback::logbench pr-comment: GitHub refused to update comment \d+ on octo-org\/model-repo pull request #7 \(403 Resource not accessible by integration\): the token needs `pull-requests: write`/m,
    );
    expect(run.log).not.toContain(READ_TOKEN);
    expect(run.log).not.toContain(READ_TOKEN.slice(4, 20));
  }, 180_000);

  it('a pull request the token cannot see (404) is named, nothing is written, and a failing gate still fails the step', async () => {
    const before = github.requests.length;
    const { run } = await runAction({ suites: 'loopback', candidate: 'latest:{suite}/worse' }, { pr: 9 });
    const comment = run.steps.find((s) => s.name === 'Comment on the pull request');
    expect(comment?.stdout).toMatch(/^::warning title=no pull request comment for loopback::logbench pr-comment: GitHub found nothing to list the comments on octo-org\/model-repo pull request #9 \(404 Not Found\): check the repository/m);
    expect(github.requests.slice(before).map((r) => r.method)).toEqual(['GET']);
    expect(run.exitCode).toBe(1);
  }, 180_000);

  it('a gate that cannot judge (exit 3) still says why on the pull request, in the same comment', async () => {
    const id = gateComments('loopback')[0]?.id;
    const { run, uploaded } = await runAction({ suites: 'loopback', candidate: 'latest:{suite}/no-such-model' });
    expect(run.exitCode).toBe(3);
    expect(run.outputs['exit-code']).toBe('3');
    expect(run.log).toContain('::warning::logbench report for loopback failed');
    expect(gateComments('loopback').map((c) => c.id)).toEqual([id]);
    const body = gateComments('loopback')[0]?.body ?? '';
    expect(body).toMatch(/^### ⚠️ logbench gate: could not judge the candidate \(exit 3\)\n\n```text\n.*no-such-model/m);
    // The report was not built: the artifact holds the summary only, and the comment does not send anyone to loopback.html.
    expect(uploaded.map((u) => u['files'])).toEqual(['loopback.md']);
    expect(body).not.toContain('loopback.html');
    expect(body).toContain('📎 Gate summary: [');
  }, 120_000);

  it('after a failed run of the suites (run-outcome: failure) the comment says there is no verdict for this commit, instead of judging an older run', async () => {
    const before = new Map(SUITES.map((suite) => [suite, gateComments(suite).map((c) => c.id)]));
    const { run } = await runAction({ 'run-outcome': 'failure' });
    expect(run.exitCode).toBe(3);
    expect(run.log).not.toContain('::group::logbench gate:');
    for (const suite of SUITES) {
      expect(gateComments(suite).map((c) => c.id)).toEqual(before.get(suite));
      const body = gateComments(suite)[0]?.body ?? '';
      expect(body).toMatch(/^### ⚠️ logbench gate: no verdict, the run of the suites did not succeed \(failure\)$/m);
      expect(body).not.toMatch(/logbench gate: (pass|regression)/);
      expect(body).toContain(`commit ${HEAD_SHA}`);
    }
  }, 120_000);

  it('artifact names: one per job, matrix leg (other inputs) and attempt, never overwriting; comment-key keeps a second job’s comment apart', async () => {
    const a = await runAction({ suites: 'loopback' }, { job: 'gate' });
    const b = await runAction({ suites: 'loopback', candidate: 'latest:{suite}/worse', 'comment-key': '{suite}-worse' }, { job: 'gate' });
    const c = await runAction({ suites: 'loopback' }, { job: 'gate', attempt: 2 });
    const [nameA, nameB, nameC] = [a, b, c].map((job) => job.uploaded[0]?.['name'] ?? '');
    expect(nameA).toMatch(DEFAULT_ARTIFACT);
    expect(nameB).toMatch(DEFAULT_ARTIFACT);
    expect(nameB).not.toBe(nameA);
    expect(nameC).toBe(`${nameA}-attempt2`);
    expect([a, b, c].map((job) => job.uploaded[0]?.['overwrite'])).toEqual(['false', 'false', 'false']);
    // The keyed job has its own comment; the suite's plain comment still holds job a's (and c's) verdict.
    const keyed = (github.comments.get(PR) ?? []).filter((comment) => comment.body.startsWith('<!-- logbench:gate suite=loopback key=loopback-worse -->'));
    expect(keyed).toHaveLength(1);
    expect(keyed[0]?.body).toMatch(/^### ❌ logbench gate: regression/m);
    expect(gateComments('loopback')).toHaveLength(1);
    expect(gateComments('loopback')[0]?.body).toMatch(/^### ✅ logbench gate: pass/m);
  }, 240_000);

  it('outside a pull request (a push) the gate still runs and judges; no comment is attempted', async () => {
    const workspace = tempDir();
    const before = github.requests.length;
    const event = path.join(workspace, 'push.json');
    writeFileSync(event, JSON.stringify({ ref: 'refs/heads/main', after: 'f'.repeat(40) }));
    const run = await runCompositeAction(path.join(REPO, 'action.yml'), {
      inputs: { suites: 'loopback', db, candidate: 'latest:{suite}/worse', baseline: 'latest:{suite}/base' },
      env: { GITHUB_REPOSITORY: REPOSITORY, GITHUB_API_URL: github.url, GITHUB_EVENT_PATH: event, GITHUB_STEP_SUMMARY: path.join(workspace, 'summary.md') },
      githubToken: WRITE_TOKEN,
      actionPath: REPO,
      workspace,
      uses: { 'actions/upload-artifact@v4': () => ({ 'artifact-url': ARTIFACT_URL }) },
    });
    expect(run.exitCode).toBe(1);
    expect(run.steps.find((s) => s.name === 'Comment on the pull request')?.stdout).toContain('logbench pr-comment: the event is not a pull request: no comment for suite loopback');
    expect(github.requests.length).toBe(before);
  }, 180_000);

  it('a suites input that names no suite fails the step (exit 3) instead of passing an empty gate', async () => {
    const { run } = await runAction({ suites: ' \n ' });
    expect(run.exitCode).toBe(3);
    expect(run.outputs['exit-code']).toBe('3');
    expect(run.log).toContain('::error::the suites input names no suite');
  }, 60_000);
});

describe('@action-validator/cli', () => {
  const validator = path.join(REPO, 'node_modules/.bin/action-validator');
  const validate = async (file: string) => {
    const { spawnSync } = await import('node:child_process');
    return spawnSync(validator, [file], { encoding: 'utf8' });
  };

  it('accepts action.yml and every workflow in .github/workflows and docs/workflows', async () => {
    const files = [
      'action.yml',
      ...readdirSync(path.join(REPO, '.github/workflows')).map((f) => `.github/workflows/${f}`),
      ...readdirSync(path.join(REPO, 'docs/workflows')).map((f) => `docs/workflows/${f}`),
    ];
    expect(files.length).toBeGreaterThan(2);
    for (const file of files) {
      const result = await validate(path.join(REPO, file));
      expect(result.status, `${file}: ${result.stdout}${result.stderr}`).toBe(0);
    }
  });

  it('rejects an action with a step it cannot run (so the check above checks something)', async () => {
    const broken = path.join(tempDir(), 'action.yml');
    writeFileSync(broken, readFileSync(path.join(REPO, 'action.yml'), 'utf8').replace('using: composite', 'using: compost'));
    expect(existsSync(broken)).toBe(true);
    const result = await validate(broken);
    expect(result.status).not.toBe(0);
  });
});
