/**
 * `npm run bench:classifier`: windows per second of the shipped tiny LogLLM classifier on CPU at
 * batch sizes 1, 8 and 32 — the same 96 BGL windows (20 lines every 10) each time, median of
 * BENCH_REPEATS (3) passes after one warm-up pass, batch sizes interleaved so machine noise hits all
 * alike. Prints one JSON object; exits 1 when batch 32 is not at least 3× faster than batch 1.
 * BENCH_THREADS sets onnxruntime's intra-op threads (default 1, so the figures measure batching,
 * not how many cores are free).
 */
import os from 'node:os';
import path from 'node:path';
import { loadDataset } from '../datasets/load.js';
import { shippedDataDir } from '../datasets/shipped.js';
import { DatasetSpec } from '../datasets/spec.js';
import { OnnxClassifierRunner } from '../harness/runners/onnxClassifier.js';
import type { RenderedRequest } from '../core/prediction.js';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const THREADS = Number(process.env.BENCH_THREADS ?? 1);
const WINDOWS = 96;
const BATCH_SIZES = [1, 8, 32] as const;
const REQUIRED_SPEEDUP = 3;

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

interface Pass {
  wallS: number;
  /** This process's CPU time: what the pass cost, whatever else the machine was running. */
  cpuS: number;
}

async function timedPass(runner: OnnxClassifierRunner, requests: readonly RenderedRequest[], batchSize: number): Promise<Pass> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let start = 0; start < requests.length; start += batchSize) {
    const predictions = await runner.runBatch(requests.slice(start, start + batchSize));
    const failed = predictions.find((p) => p.error !== undefined);
    if (failed !== undefined) throw new Error(`sample ${failed.sampleId} failed: ${failed.error}`);
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { wallS: (performance.now() - started) / 1000, cpuS: (cpu.user + cpu.system) / 1e6 };
}

const bundle = path.resolve(shippedDataDir(), '../../models/logllm-bgl-tiny');
const split = await loadDataset(DatasetSpec.parse({ source: 'loghub-windows', system: 'BGL', window: 20, step: 10, limit: WINDOWS }), { baseDir: process.cwd() });
const requests: RenderedRequest[] = split.samples.map((sample) => ({ sample, messages: [] }));
const runner = await OnnxClassifierRunner.create({ path: bundle, threads: THREADS });
try {
  for (const batchSize of BATCH_SIZES) await timedPass(runner, requests, batchSize);
  const passes: Record<number, Pass[]> = { 1: [], 8: [], 32: [] };
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    for (const batchSize of BATCH_SIZES) passes[batchSize]?.push(await timedPass(runner, requests, batchSize));
  }
  const perSecond = (size: number, of: (pass: Pass) => number) => requests.length / median((passes[size] ?? []).map(of));
  const speedup = perSecond(32, (p) => p.wallS) / perSecond(1, (p) => p.wallS);
  const result = {
    model: 'logllm-bgl-tiny',
    windows: requests.length,
    messages_per_window: 20,
    repeats: REPEATS,
    threads: THREADS,
    cpus: os.cpus().length,
    load_average_1m: Number(os.loadavg()[0]?.toFixed(2)),
    node: process.version,
    batch: Object.fromEntries(
      BATCH_SIZES.map((size) => [
        size,
        {
          windows_per_s: Number(perSecond(size, (p) => p.wallS).toFixed(1)),
          windows_per_cpu_s: Number(perSecond(size, (p) => p.cpuS).toFixed(1)),
          pass_wall_s: (passes[size] ?? []).map((p) => Number(p.wallS.toFixed(3))),
        },
      ]),
    ),
    speedup_32_vs_1: Number(speedup.toFixed(2)),
    cpu_speedup_32_vs_1: Number((perSecond(32, (p) => p.cpuS) / perSecond(1, (p) => p.cpuS)).toFixed(2)),
    required_speedup: REQUIRED_SPEEDUP,
  };
  console.log(JSON.stringify(result, null, 2));
  if (speedup < REQUIRED_SPEEDUP) process.exitCode = 1;
} finally {
  await runner.close();
}
