import { type ChildProcess, spawn } from 'node:child_process';
import { CLI, REPO } from './cli.js';

export interface ViewProcess {
  /** The address it printed. */
  url: string;
  /** What it printed on stdout up to its address line. */
  printed: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  child: ChildProcess;
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts the built `logbench view ARGS` (on any free port unless ARGS name one) and waits for its address. */
export function startView(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ViewProcess> {
  const child = spawn(process.execPath, [CLI, 'view', ...(args.includes('--port') ? [] : ['--port', '0']), ...args], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const url = /at (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url !== undefined && stdout.includes('\n')) {
        resolve({
          url,
          printed: stdout,
          origin: new URL(url).origin,
          child,
          stderr: () => stderr,
          async stop() {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    void exited.then((code) => reject(new Error(`logbench view exited (${code}) before serving: ${stderr}`)));
  });
}
