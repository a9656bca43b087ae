// Loopback server speaking the part of GitHub's REST API that `logbench pr-comment` uses: list, create
// and update issue comments (a pull request's comments are its issue's). Bodies and headers are the
// recorded shapes of test/fixtures/github-rest/ (see its README); only ids, texts, URLs and times change.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const FIXTURES = new URL('../fixtures/github-rest/', import.meta.url);
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));
const COMMENT = fixture('issue-comment.json') as Record<string, unknown>;
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
    user: { ...(COMMENT['user'] as object), login: comment.login },
    created_at: comment.created_at,
    updated_at: comment.updated_at,
  });

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { ...(status >= 400 ? HEADERS.error : HEADERS.comment), ...headers });
    res.end(JSON.stringify(body));
  };
  const error = (res: http.ServerResponse, status: 403 | 404) => send(res, status, fixture(`error-${status}.json`));

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
    requests.push({ method: req.method ?? '', path: url.pathname + url.search, authorization: req.headers.authorization, apiVersion: req.headers['x-github-api-version'] as string | undefined });
    const token = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined) return error(res, 404); // GitHub hides a private repository from anonymous callers
    const repo = options.repository.replace('/', '\\/');
    const list = new RegExp(`^/(?:repos/${repo}|repositories/${REPOSITORY_ID})/issues/(\\d+)/comments$`).exec(url.pathname);
    const one = new RegExp(`^/repos/${repo}/issues/comments/(\\d+)$`).exec(url.pathname);
    const writes = options.writeTokens.includes(token);

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
      const items = all.slice((page - 1) * perPage, page * perPage).map((c) => commentJson(issue, c));
      return send(res, 200, items, links.length > 0 ? { link: links.join(', ') } : {});
    }
    if (list && req.method === 'POST') {
      const issue = Number(list[1]);
      if (!comments.has(issue)) return error(res, 404);
      if (!writes) return error(res, 403);
      const { body } = CommentBody.parse(await readBody(req));
      const at = new Date((clock += 60_000)).toISOString().replace('.000', '');
      const comment = { id: nextId++, body, login: 'github-actions[bot]', created_at: at, updated_at: at };
      comments.get(issue)?.push(comment);
      return send(res, 201, commentJson(issue, comment), { location: `${base}/repos/${options.repository}/issues/comments/${comment.id}` });
    }
    if (one && req.method === 'PATCH') {
      const found = findComment(Number(one[1]));
      if (!found) return error(res, 404);
      if (!writes) return error(res, 403);
      found[1].body = CommentBody.parse(await readBody(req)).body;
      found[1].updated_at = new Date((clock += 60_000)).toISOString().replace('.000', '');
      return send(res, 200, commentJson(found[0], found[1]));
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
