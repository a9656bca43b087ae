/**
 * `npm run bench:offline`: what `npm run bench` costs, suite by suite — the classification default and
 * the two generative suites (transformers.js in process) — each run as a user runs it (built CLI, fresh
 * database, reports written), several rounds interleaved. Prints JSON: per suite the median wall and
 * CPU seconds and peak RSS, the totals, and the load average seen at each round (the machine is shared).
 *
 *   npm run bench:offline [-- --rounds 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureNodeProcess, median, type MeasuredProcess } from './measureProcess.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(REPO, 'dist/cli/bin.js');
const SUITES = ['default', 'offline-cause-remediation', 'offline-json-analysis'] as const;

function roundsFlag(): number {
  const index = process.argv.indexOf('--rounds');
  const rounds = index < 0 ? 3 : Number(process.argv[index + 1]);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds: a whole number ≥ 1, got ${process.argv[index + 1]}`);
  return rounds;
}

function main(): void {
  const rounds = roundsFlag();
  const measured = new Map<string, MeasuredProcess[]>(SUITES.map((suite) => [suite, []]));
  const loads: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // A fresh database per round: nothing is answered from the cache, as in a fresh clone.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-bench-offline-'));
    try {
      for (const suite of SUITES) {
        measured.get(suite)!.push(measureNodeProcess([CLI, 'run', path.join(REPO, 'suites', `${suite}.yaml`), '--db', path.join(dir, 'logbench.duckdb')], `logbench run ${suite}`));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    loads.push(Number(os.loadavg()[0]!.toFixed(1)));
  }
  const figures = Object.fromEntries(
    [...measured].map(([suite, runs]) => [
      suite,
      {
        wall_s_median: Number(median(runs.map((r) => r.wallS)).toFixed(2)),
        cpu_s_median: runs[0]!.cpuS === null ? null : Number(median(runs.map((r) => r.cpuS as number)).toFixed(2)),
        peak_rss_mb_median: runs[0]!.peakRssMb === null ? null : Math.round(median(runs.map((r) => r.peakRssMb as number))),
        wall_s: runs.map((r) => Number(r.wallS.toFixed(2))),
      },
    ]),
  );
  const total = (pick: (f: { wall_s_median: number; cpu_s_median: number | null }) => number | null) =>
    Number(Object.values(figures).reduce((sum, f) => sum + (pick(f) ?? NaN), 0).toFixed(2));
  process.stdout.write(
    `${JSON.stringify({ rounds, cores: os.availableParallelism(), load_average_1m_after_each_round: loads, suites: figures, total_wall_s: total((f) => f.wall_s_median), total_cpu_s: total((f) => f.cpu_s_median) }, null, 1)}\n`,
  );
}

main();
