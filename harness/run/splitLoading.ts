/**
 * The samples of a split that one run selects (`--limit`, `--shard`). A shard of a large JSONL split
 * still parses and hashes every record of the file; done on the run's own thread, that parsing left
 * ≈ 30 MB of promoted garbage in V8's old space (100,000 samples, 83 MB file), pages V8 keeps for the
 * rest of the run: a third of what took a 4-way shard's peak RSS past 250 MB (BENCHMARKS.md,
 * bench:shards). A worker thread parses instead and hands over only the selected samples; its heap
 * goes away with it.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { wholeNumberVariable } from '../../core/wholeNumber.js';
import { loadSelectedSplit, type DatasetLoadContext, type SelectedSplit } from '../../datasets/index.js';
import type { DatasetSpec } from '../../datasets/spec.js';

/** `--limit N` keeps the first N samples; `--shard I/N` those with index ≡ I (mod N). */
export interface SplitSelection {
  limit?: number;
  shard?: { index: number; count: number };
}

/**
 * Below this file size a worker's start (≈ 50 ms, its own module loading) buys little: the garbage
 * parsing leaves is at most about the file's size.
 */
export const SPLIT_WORKER_MIN_BYTES = 16 * 1024 ** 2;

/** Tests move the threshold: LOGBENCH_SPLIT_WORKER_MIN_BYTES=0 loads any selected JSONL split on a worker. */
export const SPLIT_WORKER_MIN_BYTES_VARIABLE = 'LOGBENCH_SPLIT_WORKER_MIN_BYTES';

/** The worker's young generation (see `loadOnWorker`). */
const WORKER_YOUNG_GENERATION_MB = 16;

/** What the split worker receives: everything `loadSelectedSplit` needs, as data. */
export interface SplitWorkerData {
  spec: DatasetSpec;
  context: Pick<DatasetLoadContext, 'baseDir' | 'dataDir' | 'cacheDir'>;
  selection: SplitSelection;
}

/** The samples the selection keeps, by their index in the split. */
export function selects(selection: SplitSelection): (index: number) => boolean {
  const { limit, shard } = selection;
  return (index) => (limit === undefined || index < limit) && (shard === undefined || index % shard.count === shard.index);
}

/** Whether a worker loads this split: a selection of a streamed (JSONL, unshuffled) file of at least the threshold. */
function loadsOnWorker(spec: DatasetSpec, context: SplitWorkerData['context'], selection: SplitSelection): boolean {
  // Read on every run, so a bad value is refused the same way whatever the suite and flags.
  const threshold = wholeNumberVariable(SPLIT_WORKER_MIN_BYTES_VARIABLE, SPLIT_WORKER_MIN_BYTES);
  if (spec.source !== 'jsonl' || spec.shuffle || (selection.limit === undefined && selection.shard === undefined)) return false;
  if (threshold === 0) return true;
  try {
    return statSync(path.resolve(context.baseDir, spec.path)).size >= threshold;
  } catch {
    return false; // the load on this thread names the file and what is wrong with it
  }
}

/** The split a worker loaded; rejects if the worker could not start, failed or ended without one. */
function loadOnWorker(data: SplitWorkerData): Promise<SelectedSplit> {
  return new Promise((resolve, reject) => {
    // Parsing makes short-lived garbage: a young generation of 16 MB (V8 grows it to 48 by default)
    // collects it as well and keeps the worker ≈ 20 MB smaller while it and the run are both alive.
    const worker = new Worker(new URL('./splitWorker.js', import.meta.url), { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    let split: SelectedSplit | undefined;
    worker.once('message', (message: SelectedSplit) => (split = message));
    worker.once('error', reject);
    worker.once('exit', (code) => (split !== undefined ? resolve(split) : reject(new Error(`split worker ended (exit code ${code}) without a split`))));
  });
}

/**
 * `loadSelectedSplit` with the selection's predicate; large selected JSONL splits on a worker. A
 * worker that fails for any reason (a bad record, a missing file, no thread to be had) is not
 * trusted to report it: the same load runs again here, which gives the split or the very error a
 * load on this thread gives.
 */
export async function loadSplitSelection(spec: DatasetSpec, context: SplitWorkerData['context'], selection: SplitSelection): Promise<SelectedSplit> {
  if (loadsOnWorker(spec, context, selection)) {
    try {
      return await loadOnWorker({ spec, context, selection });
    } catch {
      // Loaded again below.
    }
  }
  return loadSelectedSplit(spec, context, selects(selection));
}
