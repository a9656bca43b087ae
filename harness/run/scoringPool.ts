/**
 * Per-sample scoring of many stored samples at once (`merge`, a resumed `run`): on the main thread
 * plus worker threads when that pays, with the same functions on the same inputs, so the scores are
 * the very numbers one thread computes. Workers rebuild the metric list themselves from names and
 * plugin module paths (functions cannot cross threads).
 */
import { wholeNumberVariable } from '../../core/wholeNumber.js';
import { forEachInOrder, OrderedChunkPool } from '../../core/orderedPool.js';
import { resolveMetrics, scoreSample, type SampleScores, type ScoringItem, type SuiteMetric, type TaskKind } from '../../metrics/taskScoring.js';
import { metricEntriesOf, type PluginOrigin } from '../plugins/metrics.js';

/**
 * Below this many samples to score, one thread finishes first. A second thread costs a fixed
 * ≈ 0.55–0.8 s of CPU (isolate start-up, module loading, JIT warm-up of its first chunk) and takes
 * half of ≈ 0.16–0.2 ms a text sample. `npm run bench:merge-scoring` on the 2-core CI VM (shared,
 * load ≈ 3): 2 threads lost at 16,000 samples (0.76×, 0.85×) and won at 32,000 (1.40×, 1.18×);
 * BENCHMARKS.md, "Harness scoring on workers". On the same VM idle, the break-even was ≈ 8,000
 * samples (1.03×; 1.31× at 16,000); a loaded machine, where the cores given still say 2, is the
 * case to be safe in.
 */
export const WORKER_MIN_ITEMS = 20_000;

/** Tests and odd machines move the threshold: LOGBENCH_WORKER_MIN_ITEMS=0 pools any text scoring. */
export const WORKER_MIN_ITEMS_VARIABLE = 'LOGBENCH_WORKER_MIN_ITEMS';

/** Samples per chunk at most: ≈ 90 ms of text metrics, long enough that posting a chunk costs little beside it. */
const CHUNK_ITEMS = 256;

/** Fewer samples than 4 full chunks a thread go in smaller chunks, so every thread gets some. */
const chunkItems = (count: number, threads: number) => Math.max(1, Math.min(CHUNK_ITEMS, Math.ceil(count / (threads * 4))));

/** What a scoring worker receives: the task and the metric list as entries it can load. */
export interface ScoringWorkerData {
  task: TaskKind;
  entries: (string | PluginOrigin)[];
}

/**
 * How many threads score `count` samples, of at most `workers`: one unless the list has text
 * metrics (a task's own figures, classification by label say, cost microseconds a sample: a
 * worker's start-up never pays) and `count` reaches the threshold (and 2: one sample is one thread's).
 */
export function scoringThreads(task: TaskKind, metrics: readonly SuiteMetric[], count: number, workers: number): number {
  if (workers <= 1 || resolveMetrics(task, metrics).metrics.length === 0 || count < Math.max(2, wholeNumberVariable(WORKER_MIN_ITEMS_VARIABLE, WORKER_MIN_ITEMS))) return 1;
  // A worker's state reaches `corpus` as a structured clone: a plugin comparing state objects by
  // identity (a sentinel), or keeping class instances, would get another figure there.
  if (metrics.some((metric) => typeof metric !== 'string' && metric.plainState !== true)) return 1;
  // A definition not loaded from a module (a library caller's own) exists on this thread only.
  if (metricEntriesOf(metrics) === undefined) return 1;
  return Math.min(workers, Math.ceil(count / chunkItems(count, workers)));
}

/**
 * `scoreSample` of every item, in order, on up to `workers` threads (see `scoringThreads`). A
 * plugin metric's failure rejects with the message the main thread's `scoreSample` throws.
 */
export async function scoreItems(task: TaskKind, metrics: readonly SuiteMetric[], items: readonly ScoringItem[], workers = 1): Promise<SampleScores[]> {
  const threads = scoringThreads(task, metrics, items.length, workers);
  const local = (chunk: readonly ScoringItem[]) => chunk.map((item) => scoreSample(task, metrics, item));
  if (threads === 1) return local(items);
  const data: ScoringWorkerData = { task, entries: metricEntriesOf(metrics) as (string | PluginOrigin)[] };
  const pool = new OrderedChunkPool<readonly ScoringItem[], SampleScores[]>({ threads, script: new URL('./scoringWorker.js', import.meta.url), data, local });
  const size = chunkItems(items.length, threads);
  const chunks = Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
  const scored: SampleScores[] = [];
  try {
    await forEachInOrder(chunks, pool, local, (_chunk, out) => void scored.push(...out));
  } finally {
    await pool.close();
  }
  return scored;
}
