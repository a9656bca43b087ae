/**
 * `npm run bench:metrics`: the whole text-metric set through `logbench metrics`, timed as a whole
 * process (start-up, reading, scoring, printing), on 10,000 pairs of ~1,500-character log-analysis
 * texts, with 1 and 2 worker threads (and on 30,000 pairs, where each thread's start-up and JIT
 * warm-up weigh less), with each configuration's CPU seconds beside its wall time; beside them, the
 * machine's own ceiling: two independent one-thread processes started together, each on half the
 * pairs (what two free cores give two programs that share nothing). On a machine with 4 or more
 * cores (or BENCH_WIDE_WORKERS=N), also N threads and N processes on the 30,000 pairs. Then 100,000
 * pairs: peak memory with one thread, and 1 vs 2 threads once each.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTextPairs } from './corpus.js';
import { measureNodeProcess, measureNodeProcessesTogether, median, type MeasuredProcess as Measured } from './measureProcess.js';

const cli = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

function writePairs(file: string, count: number): number {
  const pairs = makeTextPairs(count);
  writeFileSync(file, pairs.map((p) => JSON.stringify(p)).join('\n') + '\n');
  return pairs.reduce((sum, p) => sum + p.reference.length + p.prediction.length, 0) / (2 * pairs.length);
}

const metricsArgs = (pairsFile: string, workers: number, extra: readonly string[]) => [cli, 'metrics', '--pairs', pairsFile, '--json', '--workers', String(workers), ...extra];

function measure(pairsFile: string, workers: number, extra: readonly string[] = []): Measured {
  return measureNodeProcess(metricsArgs(pairsFile, workers, extra), 'logbench metrics');
}

/** The file's pairs in `n` files of (nearly) equal size, in order. */
function partsOf(file: string, n: number): string[] {
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  const size = Math.ceil(lines.length / n);
  return Array.from({ length: n }, (_, i) => {
    const part = `${file}.part-${i + 1}-of-${n}`;
    writeFileSync(part, lines.slice(i * size, (i + 1) * size).join('\n') + '\n');
    return part;
  });
}

/** Independent one-thread `logbench metrics` processes at once, one per part of the file. */
function measureTogether(parts: readonly string[], extra: readonly string[]): Promise<Measured> {
  return measureNodeProcessesTogether(parts.map((part) => metricsArgs(part, 1, extra)), `${parts.length} logbench metrics processes`);
}

/** Threads (and processes) beyond 2, where the machine has the cores for them. */
const WIDE = Number(process.env.BENCH_WIDE_WORKERS ?? (os.availableParallelism() >= 4 ? 4 : 0));

const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-bench-metrics-'));
try {
  const file10k = path.join(dir, 'pairs-10k.jsonl');
  const avgChars = writePairs(file10k, 10_000);
  const results: Record<string, unknown> = { pairs: 10_000, avg_chars: Math.round(avgChars), repeats: REPEATS, cpus: os.cpus().length, node: process.version };
  // The set (fuzzy, ROUGE-1/2/L/Lsum, HF BLEU, sacreBLEU) leaves Levenshtein and chrF out;
  // the full CLI output adds both. Configurations are interleaved so machine noise hits all alike.
  const SET = ['--no-levenshtein', '--no-chrf'];
  // `together`: that many one-thread processes at once, each on its part of the file (the machine's ceiling).
  const configs: { name: string; workers: number; extra: readonly string[]; together?: number }[] = [
    { name: 'set_workers_1', workers: 1, extra: SET },
    { name: 'set_workers_2', workers: 2, extra: SET },
    { name: 'set_two_processes_half_each', workers: 1, extra: SET, together: 2 },
    { name: 'full_output_workers_1', workers: 1, extra: [] },
  ];
  const SCALING_PAIRS = Number(process.env.BENCH_SCALING_PAIRS ?? 30_000);
  const fileScaling = path.join(dir, 'pairs-scaling.jsonl');
  if (SCALING_PAIRS > 0) {
    writePairs(fileScaling, SCALING_PAIRS);
    configs.push(
      { name: `set_workers_1_${SCALING_PAIRS}_pairs`, workers: 1, extra: SET },
      { name: `set_workers_2_${SCALING_PAIRS}_pairs`, workers: 2, extra: SET },
      { name: `set_two_processes_half_each_${SCALING_PAIRS}_pairs`, workers: 1, extra: SET, together: 2 },
    );
    if (WIDE > 2) {
      configs.push(
        { name: `set_workers_${WIDE}_${SCALING_PAIRS}_pairs`, workers: WIDE, extra: SET },
        { name: `set_${WIDE}_processes_part_each_${SCALING_PAIRS}_pairs`, workers: 1, extra: SET, together: WIDE },
      );
    }
  }
  const fileOf = (name: string) => (name.endsWith('_pairs') ? fileScaling : file10k);
  const parts = new Map<string, string[]>();
  const measureConfig = (c: (typeof configs)[number]) => {
    if (c.together === undefined) return measure(fileOf(c.name), c.workers, c.extra);
    const key = `${fileOf(c.name)}/${c.together}`;
    if (!parts.has(key)) parts.set(key, partsOf(fileOf(c.name), c.together));
    return measureTogether(parts.get(key)!, c.extra);
  };
  const runs = new Map<string, Measured[]>(configs.map((c) => [c.name, []]));
  for (let r = 0; r < REPEATS; r++) for (const c of configs) runs.get(c.name)!.push(await measureConfig(c));
  for (const c of configs) {
    const measured = runs.get(c.name)!;
    const wall = median(measured.map((m) => m.wallS));
    results[c.name] = {
      wall_s_median: Number(wall.toFixed(3)),
      wall_s_all: measured.map((m) => Number(m.wallS.toFixed(3))),
      pairs_per_s: Math.round((fileOf(c.name) === file10k ? 10_000 : SCALING_PAIRS) / wall),
      cpu_s_median: measured[0]!.cpuS === null ? null : Number(median(measured.map((m) => m.cpuS as number)).toFixed(2)),
      peak_rss_mb: measured[0]!.peakRssMb === null ? null : Math.round(median(measured.map((m) => m.peakRssMb as number))),
    };
  }
  const python = 222;
  const single = median(runs.get('set_workers_1')!.map((m) => m.wallS));
  results.speedup_vs_python_stack_222s = Number((python / single).toFixed(1));
  const wallOf = (name: string) => median(runs.get(name)!.map((m) => m.wallS));
  const cpuOf = (name: string) => median(runs.get(name)!.map((m) => m.cpuS ?? Number.NaN));
  // The ceiling: what 2 workers could reach on 2 free cores if every thread of each process ran in
  // parallel, 2 × (CPU of 1 worker) / (CPU of 2 workers); their extra CPU is start-up, each thread's
  // own JIT warm-up and GC, and the main thread's reading, validation and printing.
  const scaling = (one: string, two: string, together: string) => ({
    wall_ratio: Number((wallOf(one) / wallOf(two)).toFixed(2)),
    cpu_2_over_1: Number((cpuOf(two) / cpuOf(one)).toFixed(2)),
    ceiling_on_2_cores: Number(((2 * cpuOf(one)) / cpuOf(two)).toFixed(2)),
    // What this machine gave two independent processes on the same pairs, at the same minutes.
    two_processes_wall_ratio: Number((wallOf(one) / wallOf(together)).toFixed(2)),
  });
  results.worker_scaling_1_to_2 = Number((single / wallOf('set_workers_2')).toFixed(2));
  results.worker_scaling_10000_pairs = scaling('set_workers_1', 'set_workers_2', 'set_two_processes_half_each');
  if (SCALING_PAIRS > 0) {
    results[`worker_scaling_${SCALING_PAIRS}_pairs`] = scaling(`set_workers_1_${SCALING_PAIRS}_pairs`, `set_workers_2_${SCALING_PAIRS}_pairs`, `set_two_processes_half_each_${SCALING_PAIRS}_pairs`);
    if (WIDE > 2) {
      const one = wallOf(`set_workers_1_${SCALING_PAIRS}_pairs`);
      results[`worker_scaling_1_to_${WIDE}_${SCALING_PAIRS}_pairs`] = {
        wall_ratio: Number((one / wallOf(`set_workers_${WIDE}_${SCALING_PAIRS}_pairs`)).toFixed(2)),
        processes_wall_ratio: Number((one / wallOf(`set_${WIDE}_processes_part_each_${SCALING_PAIRS}_pairs`)).toFixed(2)),
      };
    }
  }
  if (process.env.BENCH_SKIP_100K !== '1') {
    const file100k = path.join(dir, 'pairs-100k.jsonl');
    writePairs(file100k, 100_000);
    const big = measure(file100k, 1, SET);
    const bigTwo = measure(file100k, 2, SET);
    const bigTogether = await measureTogether(partsOf(file100k, 2), SET);
    const figures = (m: Measured) => ({ wall_s: Number(m.wallS.toFixed(2)), cpu_s: m.cpuS === null ? null : Number(m.cpuS.toFixed(2)), peak_rss_mb: m.peakRssMb === null ? null : Math.round(m.peakRssMb) });
    results.pairs_100k_workers_1 = figures(big);
    results.pairs_100k_workers_2 = figures(bigTwo);
    results.pairs_100k_two_processes_half_each = figures(bigTogether);
    results.worker_scaling_100000_pairs = { wall_ratio: Number((big.wallS / bigTwo.wallS).toFixed(2)), two_processes_wall_ratio: Number((big.wallS / bigTogether.wallS).toFixed(2)) };
  }
  console.log(JSON.stringify(results, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
