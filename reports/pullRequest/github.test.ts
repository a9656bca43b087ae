import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackGitHub, type LoopbackGitHub } from '../../test/support/loopback-github.js';
import { upsertMarkedComment } from './github.js';

const TOKEN = 'ghs_unitTestToken000000000000000000001';
const MARKER = '<!-- logbench:gate suite=default -->';
let github: LoopbackGitHub;

beforeAll(async () => {
  const old = (id: number, body: string) => ({ id, body, login: 'github-actions[bot]', created_at: '2026-12-01T00:00:00Z', updated_at: '2026-12-01T00:00:00Z' });
  github = await startLoopbackGitHub({
    repository: 'o/r',
    writeTokens: [TOKEN],
    pullRequests: { 1: [old(10, `${MARKER}\nold verdict`), ...Array.from({ length: 150 }, (_, i) => old(100 + i, `note ${i}`))] },
  });
});

afterAll(() => github.close());

describe('upsertMarkedComment', () => {
  it('updates the marked comment and stops listing at the page that holds it', async () => {
    const before = github.requests.length;
    const result = await upsertMarkedComment({ apiUrl: github.url, repository: 'o/r', pullRequest: 1 }, TOKEN, MARKER, `${MARKER}\nnew verdict`);
    expect(result).toEqual({ action: 'updated', id: 10, htmlUrl: 'https://github.com/o/r/pull/1#issuecomment-10' });
    expect(github.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /repos/o/r/issues/1/comments?per_page=100', 'PATCH /repos/o/r/issues/comments/10']);
    expect(github.comments.get(1)?.[0]?.body).toBe(`${MARKER}\nnew verdict`);
  });

  it('says which server it could not reach, not a made-up HTTP status', async () => {
    const closed = await startLoopbackGitHub({ repository: 'o/r', writeTokens: [], pullRequests: {} });
    await closed.close();
    await expect(upsertMarkedComment({ apiUrl: closed.url, repository: 'o/r', pullRequest: 1 }, TOKEN, MARKER, 'x')).rejects.toThrow(
      new RegExp(`^could not reach ${closed.url.replace(/\./g, '\\.')} to list the comments on o/r pull request #1: `),
    );
  });

  it('refuses a repository that is not owner/name', async () => {
    await expect(upsertMarkedComment({ apiUrl: github.url, repository: 'just-a-name', pullRequest: 1 }, TOKEN, MARKER, 'x')).rejects.toThrow('GITHUB_REPOSITORY must be owner/name, got "just-a-name"');
  });
});
