import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface MeasuredProcess {
  wallS: number;
  /** Peak resident set of the child, from GNU time where the machine has it. */
  peakRssMb: number | null;
  /**
   * CPU seconds (user + system) of the child, all its threads, from GNU time: on a machine other jobs
   * load, this moves far less than wall time, so the extra CPU of a parallel configuration shows.
   */
  cpuS: number | null;
}

const GNU_TIME = '/usr/bin/time';

/** The command that runs `node ARGS` under GNU time where the machine has it (peak RSS, user and system CPU on stderr's last line). */
function timedCommand(args: readonly string[]): { command: string; argv: string[]; timed: boolean } {
  const timed = existsSync(GNU_TIME);
  return timed ? { command: GNU_TIME, argv: ['-f', '%M %U %S', process.execPath, ...args], timed } : { command: process.execPath, argv: [...args], timed };
}

/** Peak RSS (KB) and CPU seconds from GNU time's line; NaN where there is none. */
function timeFigures(stderr: string, timed: boolean): { kb: number; cpu: number } {
  const [kb, user, system] = timed ? (stderr.trim().split('\n').pop() ?? '').split(' ').map(Number) : [];
  return { kb: kb ?? NaN, cpu: (user ?? NaN) + (system ?? NaN) };
}

const measured = (wallS: number, kb: number, cpu: number): MeasuredProcess => ({ wallS, peakRssMb: Number.isFinite(kb) ? kb / 1024 : null, cpuS: Number.isFinite(cpu) ? cpu : null });

/** Runs `node ARGS` as a whole process, as a user would, and measures its wall time and peak RSS. */
export function measureNodeProcess(args: readonly string[], what: string): MeasuredProcess {
  const { command, argv, timed } = timedCommand(args);
  const started = performance.now();
  const result = spawnSync(command, argv, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const wallS = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${what} failed (${result.status}): ${result.stderr}`);
  const { kb, cpu } = timeFigures(result.stderr, timed);
  return measured(wallS, kb, cpu);
}

/**
 * Starts `node ARGS` for every entry at once and measures until the last one ends (wall), their
 * CPU summed and the largest peak RSS: independent processes, sharing nothing but the machine.
 */
export async function measureNodeProcessesTogether(argsList: readonly (readonly string[])[], what: string): Promise<MeasuredProcess> {
  const started = performance.now();
  const finished = await Promise.all(
    argsList.map(
      (args) =>
        new Promise<{ code: number | null; stderr: string; timed: boolean }>((resolve, reject) => {
          const { command, argv, timed } = timedCommand(args);
          const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
          let stderr = '';
          child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
          child.on('error', reject);
          child.on('close', (code) => resolve({ code, stderr, timed }));
        }),
    ),
  );
  const wallS = (performance.now() - started) / 1000;
  const failed = finished.find((f) => f.code !== 0);
  if (failed) throw new Error(`${what} failed (${failed.code}): ${failed.stderr}`);
  const figures = finished.map((f) => timeFigures(f.stderr, f.timed));
  return measured(wallS, Math.max(...figures.map((f) => f.kb)), figures.reduce((sum, f) => sum + f.cpu, 0));
}

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
