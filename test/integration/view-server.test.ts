/**
 * `logbench view` as a process, over HTTP: read-only (405 for anything but GET/HEAD), a token where
 * it listens beyond loopback, bad filters named, and a writer that never waits on it: a
 * `logbench run --lock-wait 0` (which fails at once if anyone holds the file) writes to the file the
 * viewer is serving while requests keep coming, and its run shows on the next request.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { loopbackScope } from '../support/loopback-scope.js';
import { writeOpenAISuite } from '../support/run-fixtures.js';
import { type ReportFixtureStore, fixtureSamples, openFixtureStore, openReportFixtureStore, writeFixtureRun } from '../support/report-fixtures.js';
import { type ViewProcess, startView } from '../support/view-process.js';

let fixture: ReportFixtureStore;
let view: ViewProcess;

beforeAll(async () => {
  fixture = await openReportFixtureStore();
  await fixture.store.close();
  view = await startView(['--db', fixture.path]);
});
afterAll(async () => {
  await view.stop();
  rmSync(fixture.dir, { recursive: true, force: true });
});

describe('logbench view serves nothing that writes', () => {
  it('answers every method but GET and HEAD with 405 and Allow: GET, HEAD', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      const response = await fetch(`${view.origin}/runs/text-base`, { method });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
    }
    expect((await fetch(`${view.origin}/`, { method: 'HEAD' })).status).toBe(200);
  });

  it('names a bad filter in a 400 and an unknown run in a 404', async () => {
    const bad = await fetch(`${view.origin}/runs/text-base/samples?metric=fuzzy&min=high`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('query parameter min: expected a number, got &quot;high&quot;');
    const unknownMetric = await fetch(`${view.origin}/runs/text-base/samples?metric=nope`);
    expect(unknownMetric.status).toBe(400);
    expect(await unknownMetric.text()).toContain('no per-sample metric &quot;nope&quot;');
    const hugePage = await fetch(`${view.origin}/runs/text-base/samples?page=1e308`);
    expect(hugePage.status).toBe(400);
    expect(await hugePage.text()).toContain('query parameter page: expected a whole number from 1 to 1000000, got &quot;1e308&quot;');
    const missing = await fetch(`${view.origin}/runs/no-such-run`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('no run no-such-run');
  });

  it('without a token answers only requests addressed to a loopback name (a rebound DNS name gets 403)', async () => {
    const { port } = new URL(view.origin);
    const statusFor = (host: string) =>
      new Promise<number | undefined>((resolve, reject) => {
        const request = httpRequest({ host: '127.0.0.1', port, path: '/', headers: { Host: host } }, (response) => {
          response.resume();
          resolve(response.statusCode);
        });
        request.on('error', reject);
        request.end();
      });
    expect(await statusFor(`attacker.example:${port}`)).toBe(403);
    expect(await statusFor(`localhost:${port}`)).toBe(200);
    expect(await statusFor(`127.0.0.1:${port}`)).toBe(200);
  });

  it('sends a Content-Security-Policy that allows no script and no other origin on its pages', async () => {
    const csp = (await fetch(`${view.origin}/`)).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
  });
});

describe('the compare page', () => {
  it('marks each difference ▲ better or ▼ worse in the metric’s direction and shows the cost table logbench compare prints', async () => {
    const row = (page: string, table: string, first: string) => new RegExp(`<table [^>]*${table}[^>]*>.*?(<tr><td>${first}</td>.*?</tr>)`, 's').exec(page)?.[1] ?? '';
    const better = await (await fetch(`${view.origin}/compare?run=text-finetuned&run=text-base&baseline=text-base`)).text();
    expect(row(better, 'id="comparison"', 'rougeL')).toMatch(/<td>\+[\d.]+ ▲<\/td>/);
    const worse = await (await fetch(`${view.origin}/compare?run=text-finetuned&run=text-base&baseline=text-finetuned`)).text();
    expect(row(worse, 'id="comparison"', 'rougeL')).toMatch(/<td>-[\d.]+ ▼<\/td>/);
    // The fixture's fine-tune ran on a GPU, its base did not: wall time compares, GPU time says why not.
    expect(row(better, 'class="cost"', 'wall_s')).toMatch(/<td>wall_s<\/td><td>[\d.]+<\/td><td>[\d.]+<\/td><td>[+-][\d.]+ [▲▼]<\/td><td>×[\d.]+<\/td>/);
    expect(row(better, 'class="cost"', 'gpu_s')).toContain('B: ');
  });
});

describe('logbench view checks each --db before serving', () => {
  it('refuses a FIFO (without waiting on it), a directory, a text file and a missing file with exit 3 naming it', { timeout: 60_000 }, async () => {
    const bad = join(fixture.dir, 'bad');
    mkdirSync(bad, { recursive: true });
    execFileSync('mkfifo', [join(bad, 'fifo.duckdb')]);
    mkdirSync(join(bad, 'dir.duckdb'));
    writeFileSync(join(bad, 'text.duckdb'), 'hello, not a database\n');
    const expected: Record<string, RegExp> = {
      'fifo.duckdb': /not a regular file/,
      'dir.duckdb': /a directory, not a DuckDB database/,
      'text.duckdb': /not a DuckDB database/,
      'missing.duckdb': /no such file/,
    };
    for (const [name, reason] of Object.entries(expected)) {
      const file = join(bad, name);
      const result = await runCli(['view', '--db', fixture.path, '--db', file, '--port', '0']);
      expect(result.code, name).toBe(3);
      expect(result.stderr, name).toContain(`--db ${file}: `);
      expect(result.stderr, name).toMatch(reason);
    }
  });

  it('a file that turns unreadable later gets a banner naming it, and the other files still serve', async () => {
    const second = join(fixture.dir, 'second.duckdb');
    copyFileSync(fixture.path, second);
    const serving = await startView(['--db', fixture.path, '--db', second]);
    try {
      expect((await fetch(`${serving.origin}/`)).status).toBe(200);
      writeFileSync(second, 'overwritten with text\n');
      const page = await fetch(`${serving.origin}/`);
      expect(page.status).toBe(200);
      const text = await page.text();
      expect(text).toContain('text-base');
      expect(text).toMatch(new RegExp(`class="warning store-note">${second.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot be read`));
    } finally {
      await serving.stop();
    }
  });

  it('removes the copies a viewer killed with SIGKILL left behind, on the next start', async () => {
    const copyFolders = (pid: number) => readdirSync(tmpdir()).filter((name) => name.startsWith(`logbench-view-${pid}-`));
    const killed = await startView(['--db', fixture.path]);
    const pid = killed.child.pid ?? 0;
    expect(copyFolders(pid)).toHaveLength(1);
    const exited = new Promise((resolve) => killed.child.once('exit', resolve));
    killed.child.kill('SIGKILL');
    await exited;
    expect(copyFolders(pid)).toHaveLength(1);
    const next = await startView(['--db', fixture.path]);
    try {
      expect(copyFolders(pid)).toEqual([]);
    } finally {
      expect(await next.stop()).toBe(0);
    }
    expect(copyFolders(next.child.pid ?? 0)).toEqual([]);
  });
});

describe('logbench view links to samples whose ids are path steps', () => {
  it('links samples named ".", "..", "~x" and "a/b" to their own pages (a browser resolves a bare . or .. segment away)', async () => {
    const odd = ['.', '..', '~x', 'a/b'];
    const split = fixtureSamples('text', odd.length).map((sample, index) => ({ ...sample, id: odd[index] ?? sample.id }));
    const store = await openFixtureStore(async (writer) => {
      await writer.upsertSamples('split-dots', split);
      return writeFixtureRun(writer, {
        runId: 'dots',
        modelId: 'qwen3-0.6b',
        task: 'text',
        suiteName: 'dots-suite',
        splitHash: 'split-dots',
        samples: split,
        batchSize: 4,
        gpu: false,
        skill: 0.5,
        seed: 1,
        startedAt: new Date(Date.UTC(2025, 5, 1)),
      });
    });
    await store.store.close();
    const serving = await startView(['--db', store.path]);
    try {
      const samples = await (await fetch(`${serving.origin}/runs/dots/samples`)).text();
      for (const id of odd) {
        const href = new RegExp(`<a href="([^"]+)"><code>${id.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}</code></a>`).exec(samples)?.[1]?.replace(/&amp;/g, '&');
        expect(href, id).toBeDefined();
        // Resolved as a browser resolves it (WHATWG URL), then fetched.
        const page = await fetch(new URL(href ?? '', `${serving.origin}/runs/dots/samples`));
        expect(page.status, id).toBe(200);
        expect(await page.text(), id).toContain(`<h1>Sample <code>${id}</code></h1>`);
      }
    } finally {
      await serving.stop();
      rmSync(store.dir, { recursive: true, force: true });
    }
  });
});

describe('logbench view over several databases with the same run ids', () => {
  it('names each run by its database in every link, refuses a bare id found twice, and keeps history per database', async () => {
    const twin = join(fixture.dir, 'twin', 'twin.duckdb');
    mkdirSync(join(fixture.dir, 'twin'), { recursive: true });
    copyFileSync(fixture.path, twin);
    const serving = await startView(['--db', fixture.path, '--db', twin]);
    try {
      const runs = await (await fetch(`${serving.origin}/`)).text();
      expect(runs).toContain('href="/runs/runs%3Atext-base"');
      expect(runs).toContain('href="/runs/twin%3Atext-base"');
      expect(runs).toContain('value="twin:text-base"');
      const ambiguous = await fetch(`${serving.origin}/runs/text-base`);
      expect(ambiguous.status).toBe(400);
      expect(await ambiguous.text()).toContain('name one as runs:text-base or twin:text-base');
      for (const [key, db] of [['runs', fixture.path], ['twin', twin]] as const) {
        const page = await fetch(`${serving.origin}/runs/${key}%3Atext-base`);
        expect(page.status).toBe(200);
        const text = await page.text();
        expect(text).toContain(`<code id="run-db">${db}</code>`);
        expect(text).toContain(`href="/history?suite=alsate-cause-remediation&amp;db=${key}"`);
        expect(text).toContain(`href="/compare?run=${key}%3Atext-finetuned&amp;run=${key}%3Atext-base&amp;baseline=${key}%3Atext-finetuned"`);
        expect((await fetch(`${serving.origin}/runs/${key}%3Atext-base/samples`)).status).toBe(200);
      }
      expect((await fetch(`${serving.origin}/compare?run=twin:text-base&run=twin:text-finetuned`)).status).toBe(200);
      const history = await fetch(`${serving.origin}/history?suite=alsate-cause-remediation`);
      expect(history.status).toBe(400);
      expect(await history.text()).toContain('name one with db=runs or db=twin');
      const twinHistory = await fetch(`${serving.origin}/history?suite=alsate-cause-remediation&db=twin`);
      expect(twinHistory.status).toBe(200);
      expect(await twinHistory.text()).toContain('twin%3Atext-base');
    } finally {
      await serving.stop();
    }
  });
});

describe('logbench view beyond loopback', () => {
  it('refuses a non-loopback --host without --token, saying why, with exit 3', async () => {
    const result = await runCli(['view', '--db', fixture.path, '--host', '0.0.0.0', '--port', '0']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/--host 0\.0\.0\.0: other machines could read every run.*pass --token/);
  });

  it('with a token (--token or LOGBENCH_VIEW_TOKEN): 401 without it; the bearer header, or ?token= once then its cookie, let a client in', async () => {
    const token = 'a-long-enough-secret-123';
    const guarded = await startView(['--db', fixture.path], { LOGBENCH_VIEW_TOKEN: token });
    try {
      // Never printed: terminals and service logs keep what a server writes.
      expect(guarded.printed).not.toContain(token);
      expect(guarded.printed).toContain('token required');
      const origin = guarded.origin;
      expect((await fetch(`${origin}/`)).status).toBe(401);
      expect((await fetch(`${origin}/`, { headers: { Authorization: 'Bearer wrong-secret-wrong-secret' } })).status).toBe(401);
      expect((await fetch(`${origin}/`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      const first = await fetch(`${origin}/runs/text-base?token=${token}`, { redirect: 'manual' });
      expect(first.status).toBe(303);
      expect(first.headers.get('location')).toBe('/runs/text-base');
      const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      // One cookie per port: another viewer on this host keeps its own token.
      expect(cookie.startsWith(`logbench_view_token_${new URL(origin).port}=`)).toBe(true);
      expect(first.headers.get('set-cookie')).toMatch(/HttpOnly/i);
      expect(first.headers.get('set-cookie')).toMatch(/SameSite=Strict/i);
      // A path that starts with two slashes would be another origin in Location: it stays on this one.
      const offsite = await fetch(`${origin}//evil.example/runs?token=${token}`, { redirect: 'manual' });
      expect(offsite.status).toBe(303);
      expect(offsite.headers.get('location')).toBe('/evil.example/runs');
      const withCookie = await fetch(`${origin}/runs/text-base`, { headers: { Cookie: cookie } });
      expect(withCookie.status).toBe(200);
      expect(await withCookie.text()).toContain('text-base');
    } finally {
      await guarded.stop();
    }
  });
});

describe('logbench view --open with a token', () => {
  it('gives the browser a one-time login code, never the token, on its command line', { timeout: 30_000 }, async () => {
    const token = 'another-long-secret-4567';
    const bin = join(fixture.dir, 'fake-browser-bin');
    const argvFile = join(bin, 'argv.txt');
    mkdirSync(bin, { recursive: true });
    // The desktop opener the CLI runs, here a script recording what it was given.
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${argvFile}.tmp' && mv '${argvFile}.tmp' '${argvFile}'\n`, { mode: 0o755 });
    const opened = await startView(['--db', fixture.path, '--open'], { LOGBENCH_VIEW_TOKEN: token, PATH: `${bin}:${process.env.PATH ?? ''}` });
    try {
      while (!existsSync(argvFile)) await new Promise((done) => setTimeout(done, 50));
      const argv = readFileSync(argvFile, 'utf8');
      expect(argv).not.toContain(token);
      const login = new URL(argv.trim());
      expect(login.searchParams.get('login')).toMatch(/^[\w-]{20,}$/);
      const first = await fetch(login, { redirect: 'manual' });
      expect(first.status).toBe(303);
      const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      expect((await fetch(`${opened.origin}/`, { headers: { Cookie: cookie } })).status).toBe(200);
      // Used once: whoever read the code from the process list afterwards gets nothing.
      expect((await fetch(login, { redirect: 'manual' })).status).toBe(401);
    } finally {
      await opened.stop();
    }
  });
});

describe('a run writing to the file view is serving', () => {
  const loopback = loopbackScope();

  it('never waits on view (--lock-wait 0 succeeds while requests keep coming), and its run appears on the next request', async () => {
    const server = await loopback.server({ latencyMs: 5 });
    const first = writeOpenAISuite({ url: server.url, cases: 24, models: ['base'], batchSize: 4 });
    const second = writeOpenAISuite({ url: server.url, cases: 24, models: ['tuned'], batchSize: 4 });
    loopback.dirs.push(first.dir, second.dir);
    expect((await runCli(['run', first.suite, '--db', first.db, '--lock-wait', '0'])).code).toBe(0);

    const serving = await startView(['--db', first.db]);
    try {
      const before = await (await fetch(`${serving.origin}/`)).text();
      expect(before).toContain('>base<');
      expect(before).not.toContain('>tuned<');
      let stop = false;
      const statuses: number[] = [];
      const hammer = (async () => {
        while (!stop) statuses.push((await fetch(`${serving.origin}/?sort=model`)).status);
      })();
      const run = await runCli(['run', second.suite, '--db', first.db, '--lock-wait', '0']);
      stop = true;
      await hammer;
      expect(run.stderr).not.toMatch(/in use by another|locked/);
      expect(run.code).toBe(0);
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.every((status) => status === 200)).toBe(true);
      const after = await (await fetch(`${serving.origin}/`)).text();
      expect(after).toContain('>tuned<');
    } finally {
      await serving.stop();
    }
  }, 120_000);
});
