import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { CliError } from '../../core/errors.js';
import { databaseFileProblem } from '../../core/io/outputPath.js';
import { DEFAULT_DB } from '../defaults.js';

export interface ViewOptions {
  db: string[];
  port: number;
  host: string;
  open?: boolean;
  token?: string;
}

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new CliError(`--port: expected a port number from 0 to 65535 (0: any free port), got "${value}"`);
  return parsed;
}

/** Opens `url` in the desktop's browser, if there is one; a failure only costs the convenience. */
function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', (error) => process.stderr.write(`logbench view: could not open a browser (${error.message}); open ${url}\n`));
  child.unref();
}

/** Serves the viewer until SIGINT / SIGTERM. */
export async function serveView(options: ViewOptions): Promise<void> {
  const { createViewApp, isLoopbackHost } = await import('../../reports/view/app.js');
  if (!isLoopbackHost(options.host) && (options.token === undefined || options.token === '')) {
    throw new CliError(`--host ${options.host}: other machines could read every run, output and prompt in ${options.db.join(', ')}; pass --token <secret> or set LOGBENCH_VIEW_TOKEN (or keep the default --host 127.0.0.1)`);
  }
  if (options.token !== undefined && options.token.length < 16) throw new CliError('--token: use at least 16 characters (it is all that guards the runs)');
  const [{ StoreSnapshots, removeDeadViewerCopies, removeViewerCopyFolder }, { serve }] = await Promise.all([import('../../harness/store/index.js'), import('@hono/node-server')]);
  removeDeadViewerCopies();
  // Every file is checked and copied once before serving: a bad --db is a usage error, not a page of 500s.
  const sources: InstanceType<typeof StoreSnapshots>[] = [];
  const closeAll = async () => {
    for (const source of sources) await source.close();
    removeViewerCopyFolder();
  };
  for (const db of options.db) {
    const problem = databaseFileProblem(db);
    try {
      if (problem !== null) throw new Error(problem);
      const source = new StoreSnapshots(db);
      sources.push(source);
      await source.read(async () => undefined);
    } catch (error) {
      await closeAll();
      throw new CliError(`--db ${db}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  // --open hands the browser a one-time code, not the token: a browser's argv is readable by every user (ps).
  const loginCode = options.open && options.token !== undefined ? randomBytes(18).toString('base64url') : undefined;
  const app = createViewApp({ sources, ...(options.token === undefined ? {} : { token: options.token }), ...(loginCode === undefined ? {} : { loginCode }) });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const listening = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, () => resolve(listening));
    listening.on('error', (error: NodeJS.ErrnoException) =>
      reject(new CliError(error.code === 'EADDRINUSE' ? `--port ${options.port}: already in use on ${options.host}` : `cannot listen on ${options.host}:${options.port}: ${error.message}`)),
    );
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : options.port;
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${hostInUrl}:${boundPort}/`;
  // The token is never printed (terminals and service logs keep output): its owner adds it.
  const guard = options.token === undefined ? '' : ' (token required: open it once with ?token=<your token>, or send Authorization: Bearer <token>)';
  // Handlers before the address is printed: whoever reads it may send SIGTERM at once, and without a
  // handler that signal kills the process before the copies are removed.
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close(() => resolve());
      // Keep-alive connections would hold close() open.
      if ('closeAllConnections' in server) server.closeAllConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stdout.write(`logbench view: serving ${options.db.join(', ')} (read-only) at ${url}${guard}\n`);
  if (loginCode !== undefined) process.stdout.write(`logbench view: one-time address (works once, then the cookie it sets): ${url}?login=${loginCode}\n`);
  if (options.open) openBrowser(loginCode === undefined ? url : `${url}?login=${loginCode}`);
  await stopped;
  await closeAll();
}

export function registerViewCommand(program: Command): void {
  program
    .command('view')
    .description('a local web app over one or more databases: runs, comparisons of N runs, samples with filters and search (read-only; never blocks a run writing to the file)')
    .option('--db <file...>', 'DuckDB files (repeatable)', [DEFAULT_DB])
    .option('--port <n>', 'port (0: any free port)', '8080')
    .option('--host <host>', 'address to listen on; other than loopback needs --token', '127.0.0.1')
    .option('--open', 'open the address in a browser')
    .option('--token <secret>', 'require this secret (Authorization: Bearer, or ?token= once, then a cookie); default: $LOGBENCH_VIEW_TOKEN, which keeps it out of the process list')
    .action(async (opts: { db: string[]; port: string; host: string; open?: boolean; token?: string }) => {
      const token = opts.token ?? (process.env.LOGBENCH_VIEW_TOKEN || undefined);
      await serveView({ db: opts.db, port: port(opts.port), host: opts.host, ...(opts.open && { open: true }), ...(token !== undefined && { token }) });
    });
}
