// Loopback server speaking the part of GitHub's REST API that `logbench pr-comment` uses: list, create,
// update and delete issue comments (a pull request's comments are its issue's). Bodies and headers are the
// recorded shapes of test/fixtures/github-rest/ (see its README); only ids, texts, URLs and times change.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const FIXTURES = new URL('../fixtures/github-rest/', import.meta.url);
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));
const COMMENT = fixture('issue-comment.json') as Record<string, unknown>;
const BOT_USER = fixture('bot-user.json') as Record<string, unknown>;
const HEADERS = z
  .object({ comment: z.record(z.string(), z.string()), error: z.record(z.string(), z.string()) })
  .parse(fixture('headers.json'));

/** A repository id as GitHub uses it in the URLs of its Link headers. */
const REPOSITORY_ID = 1296269;

export interface StoredComment {
  id: number;
  body: string;
  login: string;
  created_at: string;
  updated_at: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  apiVersion: string | undefined;
}

export interface LoopbackGitHub {
  url: string;
  /** Comments per pull request number; a number absent here answers 404. */
  comments: Map<number, StoredComment[]>;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface LoopbackGitHubOptions {
  repository: string;
  /** Tokens that may write comments; any other token reads but gets 403 on writes (a token without pull-requests: write). */
  writeTokens: string[];
  /** Who each token comments as; default `github-actions[bot]` (GITHUB_TOKEN). A `…[bot]` login gets bot-user.json's user object. */
  tokenLogins?: Record<string, string>;
  /** Why writes are refused (403): a missing permission (default), an exhausted rate limit, or a locked conversation. */
  writeRefusal?: 'permission' | 'rate-limit' | 'locked';
  /** Lists answer after this many milliseconds: two jobs listing at once both see no comment (a race GitHub allows). */
  listDelayMs?: number;
  /** Rewrites a list's Link header (a hostile or broken server: links to another host, links that never end). */
  linkHeader?: (page: number, issue: number, base: string) => string | undefined;
  /** Answers nothing to any request while true (a hung server). */
  hang?: boolean;
  /** Answers every list with an HTML page that echoes the request's Authorization header (a misconfigured proxy). */
  echoingProxy?: boolean;
  /** Pull requests and the comments already on them. */
  pullRequests: Record<number, StoredComment[]>;
}

const CommentBody = z.object({ body: z.string().min(1) });

export async function startLoopbackGitHub(options: LoopbackGitHubOptions): Promise<LoopbackGitHub> {
  const comments = new Map(Object.entries(options.pullRequests).map(([n, list]) => [Number(n), [...list]]));
  const requests: RecordedRequest[] = [];
  let nextId = 2_000_000_000;
  let clock = Date.parse('2026-12-07T01:00:00Z');
  let base = '';

  const commentJson = (issue: number, comment: StoredComment) => ({
    ...COMMENT,
    id: comment.id,
    node_id: Buffer.from(`012:IssueComment${comment.id}`).toString('base64'),
    url: `${base}/repos/${options.repository}/issues/comments/${comment.id}`,
    html_url: `https://github.com/${options.repository}/pull/${issue}#issuecomment-${comment.id}`,
    issue_url: `${base}/repos/${options.repository}/issues/${issue}`,
    body: comment.body,
    user: comment.login.endsWith('[bot]') ? { ...BOT_USER, login: comment.login } : { ...(COMMENT['user'] as object), login: comment.login, type: 'User' },
    created_at: comment.created_at,
    updated_at: comment.updated_at,
  });

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { ...(status >= 400 ? HEADERS.error : HEADERS.comment), ...headers });
    res.end(JSON.stringify(body));
  };
  const error = (res: http.ServerResponse, status: 403 | 404) => send(res, status, fixture(`error-${status}.json`));
  const refuseWrite = (res: http.ServerResponse) => {
    if (options.writeRefusal === 'rate-limit')
      return send(res, 403, fixture('error-403-rate-limit.json'), { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Date.parse('2026-12-07T04:00:00Z') / 1000) });
    if (options.writeRefusal === 'locked') return send(res, 403, fixture('error-403-locked.json'));
    return error(res, 403);
  };

  const readBody = (req: http.IncomingMessage) =>
    new Promise<unknown>((resolve, reject) => {
      let text = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      req.on('end', () => {
        try {
          resolve(JSON.parse(text || 'null'));
        } catch (err) {
          reject(err as Error);
        }
      });
    });

  const findComment = (id: number): [number, StoredComment] | undefined => {
    for (const [issue, list] of comments) {
      const comment = list.find((c) => c.id === id);
      if (comment) return [issue, comment];
    }
    return undefined;
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', base);
    if (options.hang) return; // the socket stays open, no answer
    requests.push({ method: req.method ?? '', path: url.pathname + url.search, authorization: req.headers.authorization, apiVersion: req.headers['x-github-api-version'] as string | undefined });
    if (options.echoingProxy) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<html><body>proxy: you sent ${req.headers.authorization ?? 'nothing'}</body></html>`);
      return;
    }
    const token = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined) return error(res, 404); // GitHub hides a private repository from anonymous callers
    const repo = options.repository.replace('/', '\\/');
    const list = new RegExp(`^/(?:repos/${repo}|repositories/${REPOSITORY_ID})/issues/(\\d+)/comments$`).exec(url.pathname);
    const one = new RegExp(`^/repos/${repo}/issues/comments/(\\d+)$`).exec(url.pathname);
    const writes = options.writeTokens.includes(token) && options.writeRefusal === undefined;
    const login = options.tokenLogins?.[token] ?? 'github-actions[bot]';

    if (list && req.method === 'GET') {
      const issue = Number(list[1]);
      const all = comments.get(issue);
      if (!all) return error(res, 404);
      const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30) || 30, 100);
      const page = Math.max(Number(url.searchParams.get('page') ?? 1) || 1, 1);
      const last = Math.max(Math.ceil(all.length / perPage), 1);
      const pageUrl = (n: number) => `<${base}/repositories/${REPOSITORY_ID}/issues/${issue}/comments?per_page=${perPage}&page=${n}>`;
      const links = [
        ...(page > 1 ? [`${pageUrl(page - 1)}; rel="prev"`] : []),
        ...(page < last ? [`${pageUrl(page + 1)}; rel="next"`, `${pageUrl(last)}; rel="last"`] : []),
        ...(page > 1 ? [`${pageUrl(1)}; rel="first"`] : []),
      ];
      if (options.listDelayMs) await new Promise((resolve) => setTimeout(resolve, options.listDelayMs));
      const items = all.slice((page - 1) * perPage, page * perPage).map((c) => commentJson(issue, c));
      const link = options.linkHeader ? options.linkHeader(page, issue, base) : links.join(', ');
      return send(res, 200, items, link ? { link } : {});
    }
    if (list && req.method === 'POST') {
      const issue = Number(list[1]);
      if (!comments.has(issue)) return error(res, 404);
      if (!writes) return refuseWrite(res);
      const { body } = CommentBody.parse(await readBody(req));
      const at = new Date((clock += 60_000)).toISOString().replace('.000', '');
      const comment = { id: nextId++, body, login, created_at: at, updated_at: at };
      comments.get(issue)?.push(comment);
      return send(res, 201, commentJson(issue, comment), { location: `${base}/repos/${options.repository}/issues/comments/${comment.id}` });
    }
    if (one && req.method === 'PATCH') {
      const found = findComment(Number(one[1]));
      if (!found) return error(res, 404);
      if (!writes) return refuseWrite(res);
      // As on GitHub, a token that may write edits anyone's comment: telling ours apart is the client's job.
      found[1].body = CommentBody.parse(await readBody(req)).body;
      found[1].updated_at = new Date((clock += 60_000)).toISOString().replace('.000', '');
      return send(res, 200, commentJson(found[0], found[1]));
    }
    if (one && req.method === 'DELETE') {
      const found = findComment(Number(one[1]));
      if (!found) return error(res, 404);
      if (!writes) return refuseWrite(res);
      const list = comments.get(found[0]) ?? [];
      list.splice(list.indexOf(found[1]), 1);
      res.writeHead(204, HEADERS.comment).end();
      return;
    }
    return error(res, 404);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => send(res, 422, { message: 'Validation Failed', documentation_url: 'https://docs.github.com/rest', status: '422' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('loopback GitHub: no TCP address');
  base = `http://127.0.0.1:${address.port}`;
  return {
    url: base,
    comments,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
