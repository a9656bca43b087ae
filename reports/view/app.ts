/**
 * `logbench view`: a read-only web app over one or more run stores, on Hono (see docs/DECISIONS.md).
 * Every request reads a `StoreSnapshots` copy of each file, so the app never holds a DuckDB lock a
 * writing `logbench run` would wait on, and runs committed since the last request show up. GET and
 * HEAD only: there is nothing to write.
 */
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { CliError } from '../../core/errors.js';
import { compareStoredRuns, listedRuns } from '../../harness/gate/index.js';
import type { RunStore, StoreSnapshots, ViewQueries } from '../../harness/store/index.js';
import { loadReportData } from '../data.js';
import { loadHistoryData, renderHistoryHtml } from '../history.js';
import { escapeHtml, renderReportHtml } from '../html.js';
import { BadQueryError, type Query, SAMPLE_PAGE_SIZE, pageNumber, runFilter, sampleFilter } from './query.js';
import { type CandidateComparison, type ViewRun, VIEW_CSP, comparePage, decodeSegment, runRef, errorPage, reportHref, runPage, runsPage, samplePage, samplesPage } from './pages.js';

export interface ViewAppOptions {
  sources: readonly StoreSnapshots[];
  /** When set, every request must carry it (Authorization: Bearer, `?token=`, then the cookie it sets). */
  token?: string;
  /** With `token`: a code `?login=` accepts once in its place (what --open gives the browser, whose argv anyone can read). */
  loginCode?: string;
}

class NotFoundError extends Error {}

/** Cookies are shared by every port of a host: one per port keeps two viewers' tokens apart. */
const tokenCookie = (c: Context): string => {
  const url = new URL(c.req.url);
  return `logbench_view_token_${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
};

/** Where to go after the token left the address: a path on this origin, never `//host` (another origin). */
function sameOriginPath(url: URL): string {
  return `/${url.pathname.replace(/^[/\\]+/, '')}${url.search}`;
}

/**
 * How URLs name each database when several are served (undefined for a single one): its file name
 * without the extension, numbered by its place in the --db list where two share a name, so the same
 * --db list gives the same URLs after a restart.
 */
export function databaseKeys(paths: readonly string[]): (string | undefined)[] {
  if (paths.length < 2) return paths.map(() => undefined);
  const stems = paths.map((path) => (path.split(/[\\/]/).pop() ?? path).replace(/\.(duckdb|db)$/, ''));
  return stems.map((stem, index) => (stems.filter((other) => other === stem).length > 1 ? `${stem}-${index + 1}` : stem));
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

/** A host only this machine can reach: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || (isIP(host) === 4 && host.startsWith('127.'));
}

function sameSecret(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function securedHtml(c: Context, body: string, status: 200 | 400 | 401 | 403 | 404 | 405 | 500 = 200): Response {
  c.header('Content-Security-Policy', VIEW_CSP);
  return c.html(body, status);
}

export function createViewApp(options: ViewAppOptions): Hono {
  const app = new Hono();
  const { sources, token } = options;
  let loginCode = options.loginCode;

  /** Every run of every store that can be read, with the store it is in; a failing one is named in a banner (`notes`). */
  const keys = databaseKeys(sources.map((source) => source.path));
  const allRuns = async (): Promise<ViewRun[]> =>
    (
      await Promise.allSettled(
        sources.map((source, index) => source.read(async (store) => (await listedRuns(store)).map((run) => ({ ...run, db: source.path, dbKey: keys[index], ref: runRef(keys[index], run.id) })))),
      )
    ).flatMap((result) => (result.status === 'fulfilled' ? result.value : []));
  const sourceOf = (run: ViewRun): StoreSnapshots => {
    const source = sources[keys.indexOf(run.dbKey)];
    if (source === undefined) throw new NotFoundError(`no store ${run.db}`);
    return source;
  };

  /** The run a URL names: `<db>:<id>`, or a bare id found in exactly one database. */
  const findRun = (all: readonly ViewRun[], ref: string): ViewRun => {
    const exact = all.find((run) => run.ref === ref);
    if (exact !== undefined) return exact;
    const byId = all.filter((run) => run.id === ref);
    if (byId.length > 1) throw new BadQueryError(`run ${ref} is in several databases (${byId.map((run) => run.db).join(', ')}): name one as ${byId.map((run) => run.ref).join(' or ')}`);
    if (byId[0] === undefined) throw new NotFoundError(`no run ${ref} in ${sources.map((s) => s.path).join(', ')}`);
    return byId[0];
  };

  /** Each page names the stores it could not read now, or reads as of an earlier copy. */
  const html = (c: Context, body: string, status: 200 | 400 | 401 | 403 | 404 | 405 | 500 = 200): Response => {
    const notes = sources.flatMap((source) => (source.notice === null ? [] : [`<p class="warning store-note">${escapeHtml(source.notice)}</p>`]));
    return securedHtml(c, notes.length === 0 ? body : body.replace('</nav>', `</nav>\n<div id="store-notes">${notes.join('')}</div>`), status);
  };

  /** Reads the store holding the run `ref` names. */
  const withRun = async <T>(ref: string, work: (store: RunStore, views: ViewQueries, run: ViewRun) => Promise<T>): Promise<T> => {
    const run = findRun(await allRuns(), ref);
    return sourceOf(run).read((store, views) => work(store, views, run));
  };
  const runParam = (c: Context) => decodeSegment(c.req.param('run') ?? '');

  app.use('*', async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      c.header('Allow', 'GET, HEAD');
      return securedHtml(c, errorPage(405, `${c.req.method}: logbench view is read-only; it answers GET and HEAD only`), 405);
    }
    // Without a token the app trusts whoever reaches it, so only by a loopback name: a page elsewhere
    // that points its own host name at 127.0.0.1 (DNS rebinding) must not read the runs.
    if (token === undefined && !isLoopbackHost(new URL(c.req.url).hostname.replace(/^\[|\]$/g, ''))) {
      return securedHtml(c, errorPage(403, `Host ${c.req.header('Host') ?? '(none)'}: without --token, logbench view answers only requests addressed to 127.0.0.1, localhost or [::1]`), 403);
    }
    if (token !== undefined) {
      const bearer = /^Bearer (.+)$/.exec(c.req.header('Authorization') ?? '')?.[1];
      const fromQuery = c.req.query('token');
      const usedLogin = loginCode !== undefined && sameSecret(c.req.query('login'), loginCode);
      if (sameSecret(fromQuery, token) || usedLogin) {
        if (usedLogin) loginCode = undefined;
        // The token moves into a cookie and out of the address, which then stays pasteable without it.
        setCookie(c, tokenCookie(c), token, { httpOnly: true, sameSite: 'Strict', path: '/' });
        const url = new URL(c.req.url);
        url.searchParams.delete('token');
        url.searchParams.delete('login');
        return c.redirect(sameOriginPath(url), 303);
      }
      if (!sameSecret(bearer, token) && !sameSecret(getCookie(c, tokenCookie(c)), token)) {
        return securedHtml(c, errorPage(401, 'this logbench view needs its token: open the address once with ?token=<token> (a cookie keeps it) or send Authorization: Bearer <token>'), 401);
      }
    }
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    await next();
  });

  app.onError((error, c) => {
    if (error instanceof BadQueryError) return html(c, errorPage(400, error.message), 400);
    if (error instanceof NotFoundError) return html(c, errorPage(404, error.message), 404);
    if (error instanceof CliError) return html(c, errorPage(400, error.message), 400);
    return html(c, errorPage(500, error instanceof Error ? error.message : String(error)), 500);
  });
  app.notFound((c) => html(c, errorPage(404, `nothing at ${new URL(c.req.url).pathname}`), 404));

  const query = (c: Context): Query => (name) => c.req.query(name);

  app.get('/', async (c) => {
    const filter = runFilter(query(c));
    const all = await allRuns();
    const toEnd = filter.to !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(filter.to) ? `${filter.to}T23:59:59.999Z` : filter.to;
    const shown = all.filter(
      (run) =>
        (filter.suite === undefined || run.suiteName === filter.suite) &&
        (filter.model === undefined || run.modelId === filter.model) &&
        (filter.status === undefined || run.status === filter.status) &&
        (filter.from === undefined || Date.parse(run.startedAt) >= Date.parse(filter.from)) &&
        (toEnd === undefined || Date.parse(run.startedAt) <= Date.parse(toEnd)),
    );
    const key = (run: ViewRun): string | number =>
      filter.sort === 'suite' ? run.suiteName : filter.sort === 'model' ? run.modelId : filter.sort === 'status' ? run.status : filter.sort === 'samples' ? run.samples : run.startedAt;
    shown.sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return (filter.descending ? -order : order) || a.id.localeCompare(b.id);
    });
    return html(c, runsPage(all, shown, filter));
  });

  app.get('/runs/:run', async (c) => {
    const others = await allRuns();
    return withRun(runParam(c), async (store, _views, run) => html(c, runPage(run, await store.metrics(run.id), others)));
  });

  app.get('/runs/:run/samples', async (c) => {
    const filter = sampleFilter(query(c));
    const page = pageNumber(query(c));
    const others = await allRuns();
    return withRun(runParam(c), async (_store, views, run) => {
      const metricNames = await views.sampleMetricNames(run.id);
      if (filter.metric !== undefined && !metricNames.includes(filter.metric)) throw new BadQueryError(`query parameter metric: run ${run.id} has no per-sample metric "${filter.metric}" (it has ${metricNames.join(', ') || 'none'})`);
      const comparable = others.filter((other) => other.id !== run.id && other.db === run.db && other.splitHash === run.splitHash);
      if (filter.changedFrom !== undefined && !comparable.some((other) => other.id === filter.changedFrom)) {
        throw new BadQueryError(`query parameter changed: ${filter.changedFrom} is no other run on the split of ${run.id} in ${run.db}`);
      }
      const samples = await views.samplePage(run.id, filter, (page - 1) * SAMPLE_PAGE_SIZE, SAMPLE_PAGE_SIZE);
      return html(c, samplesPage(run, filter, page, samples, metricNames, comparable));
    });
  });

  app.get('/runs/:run/samples/:sample', async (c) => {
    const baselineId = c.req.query('baseline') || undefined;
    const sampleId = decodeSegment(c.req.param('sample'));
    return withRun(runParam(c), async (_store, views, run) => {
      const detail = await views.sampleDetail(run.splitHash, sampleId);
      if (detail === null || !detail.outputs.some((output) => output.runId === run.id)) throw new NotFoundError(`run ${run.id} has no sample ${sampleId}`);
      return html(c, samplePage(run, detail, baselineId));
    });
  });

  app.get('/compare', async (c) => {
    const all = await allRuns();
    const runs = [...new Set((c.req.queries('run') ?? []).map((ref) => findRun(all, ref)))];
    if (runs.length < 2) throw new BadQueryError('query parameter run: select at least two runs to compare (run=A&run=B…)');
    const baselineRef = c.req.query('baseline');
    const baseline = baselineRef ? runs.find((run) => run.ref === baselineRef || run.id === baselineRef) : runs[0];
    if (baseline === undefined) throw new BadQueryError(`query parameter baseline: ${baselineRef ?? ''} is not one of the compared runs`);
    const candidates = await sourceOf(baseline).read(async (store) => {
      const compared: CandidateComparison[] = [];
      for (const run of runs.filter((other) => other !== baseline)) {
        if (run.db !== baseline.db) {
          compared.push({ run, comparison: null, refused: `in ${run.db}, the baseline in ${baseline.db}: paired tests need both runs in one store (\`logbench merge\` joins them)` });
          continue;
        }
        const [candidateRun, baselineRun] = await Promise.all([store.getRun(run.id), store.getRun(baseline.id)]);
        if (candidateRun === null || baselineRun === null) throw new NotFoundError(`run ${candidateRun === null ? run.id : baseline.id} vanished from ${baseline.db}`);
        try {
          compared.push({ run, comparison: await compareStoredRuns(store, candidateRun, baselineRun), refused: null });
        } catch (error) {
          if (!(error instanceof CliError)) throw error;
          compared.push({ run, comparison: null, refused: error.message });
        }
      }
      return compared;
    });
    return html(c, comparePage(baseline, runs, candidates));
  });

  // The report and history pages are the static report's own documents (their CSP in a meta element).
  app.get('/report', async (c) => {
    const runId = c.req.query('run');
    if (runId === undefined || runId === '') throw new BadQueryError('query parameter run: name the run to report on');
    const baselineId = c.req.query('baseline') || undefined;
    return withRun(runId, async (store, _views, run) => {
      if (baselineId !== undefined && (await store.getRun(baselineId)) === null) throw new NotFoundError(`no run ${baselineId} in ${run.db} (a baseline must be in the run's store)`);
      const data = await loadReportData(store, { runId: run.id, ...(baselineId === undefined ? {} : { baselineId }) });
      return c.html(renderReportHtml(data, { links: [{ href: '/', text: 'all runs' }] }));
    });
  });

  app.get('/history', async (c) => {
    const suiteName = c.req.query('suite');
    if (suiteName === undefined || suiteName === '') throw new BadQueryError('query parameter suite: name the suite');
    // History is per database: runs of one suite in two files are two histories.
    const dbKey = c.req.query('db') || undefined;
    if (dbKey !== undefined && !keys.includes(dbKey)) throw new BadQueryError(`query parameter db: expected one of ${keys.join(', ') || '(none: one database is served)'}, got "${dbKey}"`);
    const dbs = [...new Set((await allRuns()).filter((run) => run.suiteName === suiteName && (dbKey === undefined || run.dbKey === dbKey)).map((run) => run.dbKey))];
    if (dbs.length === 0) throw new NotFoundError(`no run of suite ${suiteName}${dbKey === undefined ? '' : ` in ${dbKey}`}`);
    if (dbs.length > 1) throw new BadQueryError(`suite ${suiteName} has runs in several databases: name one with db=${dbs.join(' or db=')}`);
    const key = dbs[0];
    const source = sources[keys.indexOf(key)];
    if (source === undefined) throw new NotFoundError(`no run of suite ${suiteName}`);
    return source.read(async (store) => {
      const history = await loadHistoryData(store, suiteName);
      return c.html(renderHistoryHtml(history, { links: [{ href: '/', text: 'all runs' }], reportHref: (runId) => reportHref(runRef(key, runId)) }));
    });
  });

  return app;
}
