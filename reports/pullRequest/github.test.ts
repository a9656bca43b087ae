import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackGitHub, type LoopbackGitHub } from '../../test/support/loopback-github.js';
import { upsertMarkedComment, type PullRequestTarget } from './github.js';

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
    expect(result).toEqual({ action: 'updated', id: 10, htmlUrl: 'https://github.com/o/r/pull/1#issuecomment-10', removedDuplicates: [] });
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

  it('updates only a comment the token’s own identity wrote: a marked comment by anyone else is left alone and a new one is created', async () => {
    const at = '2026-12-01T00:00:00Z';
    const server = await startLoopbackGitHub({
      repository: 'o/r',
      writeTokens: [TOKEN],
      pullRequests: { 2: [{ id: 20, body: `${MARKER}\n✅ pass (planted by a user)`, login: 'mallory', created_at: at, updated_at: at }] },
    });
    try {
      const target = { apiUrl: server.url, repository: 'o/r', pullRequest: 2 };
      const first = await upsertMarkedComment(target, TOKEN, MARKER, `${MARKER}\n❌ regression`);
      expect(first.action).toBe('created');
      expect(server.comments.get(2)?.find((c) => c.id === 20)?.body).toBe(`${MARKER}\n✅ pass (planted by a user)`);
      // The next run finds the bot's comment (GitHub's bot user object: type Bot), not the planted one.
      const listed = (await (await fetch(`${server.url}/repos/o/r/issues/2/comments`, { headers: { authorization: `token ${TOKEN}` } })).json()) as { id: number; user: { login: string; type: string } }[];
      expect(listed.map((c) => [c.id, c.user.login, c.user.type])).toEqual([[20, 'mallory', 'User'], [first.id, 'github-actions[bot]', 'Bot']]);
      const second = await upsertMarkedComment(target, TOKEN, MARKER, `${MARKER}\n❌ regression again`);
      expect(second).toMatchObject({ action: 'updated', id: first.id });
      expect(server.comments.get(2)?.map((c) => c.id)).toEqual([20, first.id]);
    } finally {
      await server.close();
    }
  });

  it('with a personal token, the author option names whose comments are ours', async () => {
    const pat = 'ghp_personalTokenOfOctocat000000000001';
    const at = '2026-12-01T00:00:00Z';
    const server = await startLoopbackGitHub({
      repository: 'o/r',
      writeTokens: [pat],
      tokenLogins: { [pat]: 'octocat' },
      pullRequests: { 3: [{ id: 30, body: `${MARKER}\nbot's`, login: 'github-actions[bot]', created_at: at, updated_at: at }, { id: 31, body: `${MARKER}\nmine`, login: 'octocat', created_at: at, updated_at: at }] },
    });
    try {
      const result = await upsertMarkedComment({ apiUrl: server.url, repository: 'o/r', pullRequest: 3 }, pat, MARKER, `${MARKER}\nnew`, { author: 'octocat' });
      expect(result).toMatchObject({ action: 'updated', id: 31 });
      expect(server.comments.get(3)?.map((c) => c.body)).toEqual([`${MARKER}\nbot's`, `${MARKER}\nnew`]);
    } finally {
      await server.close();
    }
  });

  it('two jobs creating the same comment at once leave one: the oldest is kept and updated, our newer duplicate deleted', async () => {
    const server = await startLoopbackGitHub({ repository: 'o/r', writeTokens: [TOKEN], pullRequests: { 4: [] }, listDelayMs: 300 });
    try {
      const target = { apiUrl: server.url, repository: 'o/r', pullRequest: 4 };
      const results = await Promise.all([upsertMarkedComment(target, TOKEN, MARKER, `${MARKER}\njob A`), upsertMarkedComment(target, TOKEN, MARKER, `${MARKER}\njob B`)]);
      // Both listed before either created (the race): two POSTs, then the duplicate went.
      expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
      expect(server.requests.filter((r) => r.method === 'DELETE')).not.toHaveLength(0);
      const left = server.comments.get(4) ?? [];
      expect(left).toHaveLength(1);
      const created = results.map((r) => r.id).concat(results.flatMap((r) => r.removedDuplicates));
      expect(left[0]?.id).toBe(Math.min(...created));
      expect(results.every((r) => r.id === left[0]?.id)).toBe(true);
      expect(left[0]?.body).toMatch(/^<!-- logbench:gate suite=default -->\njob [AB]$/);
    } finally {
      await server.close();
    }
  });

  it('another suite key is another comment: two jobs gating the same suite keep their own', async () => {
    const server = await startLoopbackGitHub({ repository: 'o/r', writeTokens: [TOKEN], pullRequests: { 5: [] } });
    try {
      const target = { apiUrl: server.url, repository: 'o/r', pullRequest: 5 };
      const keyed = (key: string) => `<!-- logbench:gate suite=default key=${key} -->`;
      await upsertMarkedComment(target, TOKEN, keyed('model-a'), `${keyed('model-a')}\nA`);
      await upsertMarkedComment(target, TOKEN, keyed('model-b'), `${keyed('model-b')}\nB`);
      await upsertMarkedComment(target, TOKEN, keyed('model-a'), `${keyed('model-a')}\nA2`);
      expect(server.comments.get(5)?.map((c) => c.body)).toEqual([`${keyed('model-a')}\nA2`, `${keyed('model-b')}\nB`]);
    } finally {
      await server.close();
    }
  });

  describe('a server that misbehaves', () => {
    const withServer = async (options: Partial<Parameters<typeof startLoopbackGitHub>[0]>, test: (target: PullRequestTarget, server: LoopbackGitHub) => Promise<void>) => {
      const server = await startLoopbackGitHub({ repository: 'o/r', writeTokens: [TOKEN], pullRequests: { 1: [] }, ...options });
      try {
        await test({ apiUrl: server.url, repository: 'o/r', pullRequest: 1 }, server);
      } finally {
        await server.close();
      }
    };

    it('a request that gets no answer fails after the timeout, naming the server and the operation', () =>
      withServer({ hang: true }, async (target) => {
        await expect(upsertMarkedComment(target, TOKEN, MARKER, 'x', { timeoutMs: 300 })).rejects.toThrow(`could not reach ${target.apiUrl} to list the comments on o/r pull request #1: no answer within 0.3 s`);
      }));

    it('a next link to another host is refused before the token is sent there', async () => {
      const elsewhere = await startLoopbackGitHub({ repository: 'o/r', writeTokens: [TOKEN], pullRequests: { 1: [] } });
      try {
        await withServer({ linkHeader: () => `<${elsewhere.url.replace('127.0.0.1', 'localhost')}/repos/o/r/issues/1/comments?page=2>; rel="next"` }, async (target) => {
          const failure = upsertMarkedComment(target, TOKEN, MARKER, 'x');
          await expect(failure).rejects.toThrow(`could not list the comments on o/r pull request #1: refused to follow a link to http://localhost:${new URL(elsewhere.url).port}: GitHub's API is ${target.apiUrl}, the token goes nowhere else`);
        });
        expect(elsewhere.requests).toEqual([]);
      } finally {
        await elsewhere.close();
      }
    });

    it('next links that never end stop at the page cap', () =>
      withServer({ linkHeader: (page, issue, base) => `<${base}/repos/o/r/issues/${issue}/comments?per_page=100&page=${page + 1}>; rel="next"` }, async (target, server) => {
        await expect(upsertMarkedComment(target, TOKEN, MARKER, 'x', { maxPages: 5 })).rejects.toThrow(`more than 5 pages of comments on o/r pull request #1 (${target.apiUrl}): stopped looking for the ${MARKER} comment`);
        expect(server.requests.filter((r) => r.method === 'GET')).toHaveLength(6);
        expect(server.requests.some((r) => r.method === 'POST')).toBe(false);
      }));

    it('an answer that is not GitHub’s (a proxy echoing the request) fails naming the server, with the token scrubbed', () =>
      withServer({ echoingProxy: true }, async (target) => {
        const failure = await upsertMarkedComment(target, TOKEN, MARKER, 'x').catch((error: unknown) => error as Error);
        expect(failure).toBeInstanceOf(Error);
        expect((failure as Error).name).toBe('CliError');
        expect((failure as Error).message).toBe(`could not list the comments on o/r pull request #1: ${target.apiUrl} answered 200 with text/html; charset=utf-8, not GitHub's JSON: is GITHUB_API_URL GitHub's API?`);
        expect((failure as Error).message).not.toContain(TOKEN);
      }));

    it.each([
      ['permission', /GitHub refused to create a comment on o\/r pull request #1 \(403 Resource not accessible by integration\): the token needs `pull-requests: write`/],
      ['rate-limit', /^GitHub's rate limit stopped the attempt to create a comment on o\/r pull request #1 \(403 API rate limit exceeded for installation ID 4242424\.\): run the job again later \(it resets at 2026-12-07T04:00:00\.000Z\)$/],
      ['locked', /^GitHub refused to create a comment on o\/r pull request #1 \(403 Unable to create comment because issue is locked\.\): the pull request's conversation is locked$/],
    ] as const)('a 403 for %s says what it is', (writeRefusal, message) =>
      withServer({ writeRefusal }, async (target) => {
        const failure = await upsertMarkedComment(target, TOKEN, MARKER, 'x').catch((error: unknown) => error as Error);
        expect((failure as Error).message).toMatch(message);
        if (writeRefusal !== 'permission') expect((failure as Error).message).not.toContain('pull-requests: write');
      }));
  });
});
