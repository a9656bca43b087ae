import path from 'node:path';
import { hashOf } from '../../core/hash.js';
import { runSettings } from '../gate/storedSuite.js';
import { resolveMetricEntries } from '../plugins/metrics.js';
import { RunStore, type RunSelection, type StoredRun, type WholeRunFromShards } from '../store/index.js';
import { runFigures } from './items.js';
import { runKeyFrom } from './runSuite.js';

/** What `logbench merge` did: runs copied as they were from each source, and whole runs made of shards. */
export interface MergeSummary {
  copied: { file: string; runs: number }[];
  /** `baseline`: the suite's baseline model (what `run` reports the others against), when it named one. */
  whole: { runId: string; suiteName: string; modelId: string; baseline: string | null; shards: number; samples: number }[];
}

interface ShardRun {
  file: string;
  source: number;
  run: StoredRun;
  shard: { index: number; count: number };
}

/** Another shard set (`--shard`) or suite setting than the shards it is merged with: named by file and run. */
const describe = (s: ShardRun) => `${s.file} (run ${s.run.id}, shard ${s.shard.index}/${s.shard.count})`;

/**
 * Merges other stores into `target`. Runs over a shard of the split (`run --shard I/N`) become one
 * run per suite and model equal to a single-process run: every shard 0..N-1 exactly once, each
 * completed, all of one suite, config, split, selection and plugin metric code; the merged run's
 * corpus figures and bootstrap intervals are computed on all its samples by the function the run
 * engine uses (`runFigures`), never combined from the shards' figures. Other runs are copied as they are.
 * `inParts`: `target` was created for this merge and is removed if it fails (see `RunStore.mergeFrom`).
 * `workers`: threads that may rescore the merged samples (default 1; see scoringPool.ts).
 */
export async function mergeStores(target: RunStore, files: readonly string[], options: { inParts?: boolean; workers?: number } = {}): Promise<MergeSummary> {
  RunStore.assertMergeSources(target.path, files);
  const shardRuns: ShardRun[] = [];
  for (const [source, file] of files.entries()) {
    const store = await RunStore.open(file, { readOnly: true });
    try {
      for (const run of await store.listRuns()) {
        if (run.selection?.shard) shardRuns.push({ file, source, run, shard: run.selection.shard });
      }
    } finally {
      await store.close();
    }
  }
  const wholeRuns = shardRuns.length === 0 ? [] : await planWholeRuns(files, shardRuns, options.workers ?? 1);
  // What was copied as it is, counted by the copy itself: plain runs and a shard database's older
  // shard runs (a rerun's predecessor) alike.
  const copied = await target.mergeFrom(files, wholeRuns.map(({ plan }) => plan), options);
  return {
    copied: files.map((file, i) => ({ file, runs: copied[i]?.runs ?? 0 })),
    whole: wholeRuns.map(({ plan, first, samples }) => ({ runId: plan.id, suiteName: first.suiteName, modelId: first.modelId, baseline: suiteBaseline(first), shards: plan.shards.length, samples })),
  };
}

/** The shard sets among the sources, checked: one whole run per suite and model. */
async function planWholeRuns(files: readonly string[], shardRuns: readonly ShardRun[], workers: number): Promise<{ plan: WholeRunFromShards; first: StoredRun; samples: number }[]> {
  // Each shard database holds one shard index: the one its runs were made with.
  const indexOf = new Map<number, ShardRun>();
  for (const shardRun of shardRuns) {
    const earlier = indexOf.get(shardRun.source);
    if (earlier && (earlier.shard.index !== shardRun.shard.index || earlier.shard.count !== shardRun.shard.count)) {
      throw new Error(`${shardRun.file}: holds runs of shard ${earlier.shard.index}/${earlier.shard.count} and ${shardRun.shard.index}/${shardRun.shard.count}; a shard database is one \`run --shard I/N\``);
    }
    indexOf.set(shardRun.source, shardRun);
  }
  const shardFiles = [...indexOf.values()].sort((a, b) => a.shard.index - b.shard.index);
  const count = shardFiles[0]?.shard.count ?? 0;
  const other = shardFiles.find((s) => s.shard.count !== count);
  if (other) throw new Error(`${other.file}: shard ${other.shard.index}/${other.shard.count} is of another split into shards than ${shardFiles[0]?.file} (${count} shards)`);
  const byIndex = new Map<number, ShardRun>();
  for (const s of shardFiles) {
    const twin = byIndex.get(s.shard.index);
    if (twin) throw new Error(`${s.file}: shard ${s.shard.index}/${count} again (${twin.file} is shard ${s.shard.index}/${count} too); each shard is merged once`);
    byIndex.set(s.shard.index, s);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length) {
    throw new Error(`shard ${missing.map((i) => `${i}/${count}`).join(', ')} missing: the merged databases (${shardFiles.map((s) => `${path.basename(s.file)} = ${s.shard.index}/${count}`).join(', ')}) must hold every shard 0..${count - 1} exactly once`);
  }

  const models = [...new Set(shardRuns.map((s) => modelOf(s.run)))].sort();
  const planned: { plan: WholeRunFromShards; first: StoredRun; samples: number }[] = [];
  for (const model of models) {
    // Per shard database, the model's latest run: a rerun after failed samples is a later run.
    const shards = shardFiles.map(({ source, file }) => {
      const runs = shardRuns.filter((s) => s.source === source && modelOf(s.run) === model);
      const latest = runs.at(-1);
      if (!latest) throw new Error(`${file}: no run of ${model.replace('\u0000', ' / ')} (the other shard databases have one); every shard must run the same models`);
      if (latest.run.status !== 'completed') throw new Error(`${describe(latest)}: ${model.replace('\u0000', ' / ')} is ${latest.run.status}, not completed (rerun that shard to finish it, then merge)`);
      return latest;
    });
    planned.push(await planWholeRun(shards, workers));
  }
  return planned;
}

function suiteBaseline(run: StoredRun): string | null {
  const baseline = (run.suite as { baseline?: unknown } | null)?.baseline;
  return typeof baseline === 'string' ? baseline : null;
}

const modelOf = (run: StoredRun) => `${run.suiteName}\u0000${run.modelId}`;

async function planWholeRun(shards: readonly ShardRun[], workers: number): Promise<{ plan: WholeRunFromShards; first: StoredRun; samples: number }> {
  const head = shards[0] as ShardRun;
  const first = head.run;
  for (const s of shards) {
    const differs = (['configHash', 'splitHash', 'promptHash', 'task'] as const).find((field) => s.run[field] !== first[field]);
    if (differs) throw new Error(`${describe(s)}: another suite config than ${describe(head)} (${differs} differs); shards merge only from one suite run with one config`);
    if (s.run.selection?.limit !== first.selection?.limit || s.run.selection?.splitSamples !== first.selection?.splitSamples) {
      throw new Error(`${describe(s)}: another selection than ${describe(head)} (--limit ${s.run.selection?.limit ?? 'none'} vs ${first.selection?.limit ?? 'none'})`);
    }
  }
  const settings = runSettings(first);
  // The config hash leaves out how runs are scored: shards scored by other metrics or statistics are not one run.
  const scoring = (run: StoredRun) => {
    const { metrics, pluginModules, statistics } = runSettings(run);
    return { metrics, pluginModules, statistics };
  };
  const headScoring = scoring(first);
  for (const s of shards) {
    const theirs = scoring(s.run);
    const differs = (['metrics', 'pluginModules', 'statistics'] as const).find((field) => JSON.stringify(theirs[field]) !== JSON.stringify(headScoring[field]));
    if (differs) {
      const show = (value: unknown) => JSON.stringify(value);
      throw new Error(`${describe(s)}: its suite's ${differs === 'pluginModules' ? 'plugin metrics' : differs} (${show(theirs[differs])}) differ from ${describe(head)}'s (${show(headScoring[differs])}); shards merge only from one suite run with one config`);
    }
  }
  // Plugin metrics score the merged run with their code as it is now; the shards' run keys say
  // which code scored them, so a shard made with other code is refused rather than mixed in.
  const entries = [...settings.metrics.filter((metric): metric is string => typeof metric === 'string'), ...settings.pluginModules.map((module) => ({ module }))];
  const baseDir = first.suitePath === null ? process.cwd() : path.dirname(path.resolve(first.suitePath));
  const { metrics, plugins } = await resolveMetricEntries(entries, baseDir);
  const limit = first.selection?.limit;
  for (const s of shards) {
    const expected = runKeyFrom({ configHash: s.run.configHash, splitHash: s.run.splitHash, shard: s.shard, ...(limit !== undefined && { limit }), plugins });
    if (expected !== s.run.runKey) {
      throw new Error(`${describe(s)}: its run key does not match its suite, selection and plugin metric code as they are now (${plugins.length ? 'plugin metric code changed since it ran?' : 'made by another logbench version?'}); shards merge only when made by the same code`);
    }
  }
  const samples = shards.reduce((sum, s) => sum + (s.run.selection?.samples ?? 0), 0);
  const splitSamples = first.selection?.splitSamples ?? samples;
  const wanted = Math.min(limit ?? splitSamples, splitSamples);
  if (samples !== wanted) throw new Error(`${describe(head)}: its shards hold ${samples} samples, their selection ${wanted}; they do not make up one run`);
  const selection: RunSelection | null = limit === undefined ? null : { limit, samples, splitSamples };
  // Named by the shards it is made of: merging them again is recognised as "merged before".
  const stamp = [...shards].map((s) => s.run.startedAt).sort()[0] ?? first.startedAt;
  const id = `${stamp.replace(/[-:]/g, '').replace(/\.\d+Z?$/, '').replace(' ', 'T')}Z-${hashOf(shards.map((s) => s.run.id)).slice(0, 6)}`;
  const plan: WholeRunFromShards = {
    id,
    runKey: runKeyFrom({ configHash: first.configHash, splitHash: first.splitHash, ...(limit !== undefined && { limit }), plugins }),
    selection,
    host: [...new Set(shards.map((s) => s.run.host))].join(', '),
    shards: shards.map((s) => ({ source: s.source, runId: s.run.id })),
    figures: (reader) => runFigures(reader, { id, splitHash: first.splitHash }, { task: settings.task, metrics, statistics: settings.statistics, workers }),
  };
  return { plan, first, samples };
}
