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

/** Runs `node ARGS` as a whole process, as a user would, and measures its wall time and peak RSS. */
export function measureNodeProcess(args: readonly string[], what: string): MeasuredProcess {
  const gnuTime = existsSync('/usr/bin/time');
  const started = performance.now();
  const result = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', '%M %U %S', process.execPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
    : spawnSync(process.execPath, [...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const wallS = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${what} failed (${result.status}): ${result.stderr}`);
  const [kb, user, system] = gnuTime ? (result.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number) : [];
  const cpu = (user ?? NaN) + (system ?? NaN);
  return { wallS, peakRssMb: Number.isFinite(kb) ? (kb as number) / 1024 : null, cpuS: Number.isFinite(cpu) ? cpu : null };
}

/**
 * Starts `node ARGS` for every entry at once and measures until the last one ends (wall), their
 * CPU summed and the largest peak RSS: independent processes, sharing nothing but the machine.
 */
export async function measureNodeProcessesTogether(argsList: readonly (readonly string[])[], what: string): Promise<MeasuredProcess> {
  const gnuTime = existsSync('/usr/bin/time');
  const started = performance.now();
  const finished = await Promise.all(
    argsList.map(
      (args) =>
        new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
          const child = gnuTime
            ? spawn('/usr/bin/time', ['-f', '%M %U %S', process.execPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
            : spawn(process.execPath, [...args], { stdio: ['ignore', 'ignore', 'pipe'] });
          let stderr = '';
          child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
          child.on('error', reject);
          child.on('close', (code) => resolve({ code, stderr }));
        }),
    ),
  );
  const wallS = (performance.now() - started) / 1000;
  const failed = finished.find((f) => f.code !== 0);
  if (failed) throw new Error(`${what} failed (${failed.code}): ${failed.stderr}`);
  const figures = finished.map((f) => (gnuTime ? (f.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number) : []));
  const kb = Math.max(...figures.map(([k]) => k ?? NaN));
  const cpu = figures.reduce((sum, [, user, system]) => sum + (user ?? NaN) + (system ?? NaN), 0);
  return { wallS, peakRssMb: Number.isFinite(kb) ? kb / 1024 : null, cpuS: Number.isFinite(cpu) ? cpu : null };
}

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
