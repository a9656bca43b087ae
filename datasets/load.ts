import path from 'node:path';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/hash.js';
import { loadAlpaca } from './loaders/alpaca.js';
import { loadJournalctl } from './loaders/journalctl.js';
import { loadJsonl } from './loaders/jsonl.js';
import { loadLoghubChunks } from './loaders/loghubChunks.js';
import { loadLoghubWindows } from './loaders/loghubWindows.js';
import { LOGLLM_LOG_FORMATS } from './shipped.js';
import { loadLogllmCsv } from './loaders/logllmCsv.js';
import { resolveRemoteFile } from './loaders/remote.js';
import { loadShareGpt } from './loaders/sharegpt.js';
import { fileStem, type LoadedRecords } from './records.js';
import { REMOTE_FILES, type RemoteFile, type RemoteName } from './remoteFiles.js';
import type { LoadedSplit, Sample } from '../core/sample.js';
import { shippedLoghubLog } from './shipped.js';
import { seededShuffle } from './seeded.js';
import type { DatasetSpec, SpecOf } from './spec.js';

export interface DatasetLoadContext {
  /** Folder that relative paths in the spec are resolved against: the suite file's folder. */
  baseDir: string;
  /** Checked before the cache and the network for remote files (CLI `--data-dir`). */
  dataDir?: string;
  /** Download cache for remote files (default `~/.cache/logbench/data`). */
  cacheDir?: string;
  fetchImpl?: typeof fetch;
  /** Replaces entries of the pinned registry (tests, mirrors). */
  remoteFiles?: Partial<Record<RemoteName, RemoteFile>>;
}

/** sha256 over the canonical JSON of the samples in order: id, input, reference and label, not meta. */
export function splitHashOf(samples: readonly Sample[]): string {
  const hasher = new SplitHasher();
  for (const sample of samples) hasher.add(sample);
  return hasher.digest();
}

/**
 * `splitHashOf` a sample at a time: the same bytes (`[`, each sample's canonical JSON joined by `,`,
 * `]`) go through the hash without the split's JSON ever being one string.
 */
class SplitHasher {
  private readonly hash = createHash('sha256').update('[');
  count = 0;

  add(s: Sample): void {
    this.hash.update((this.count++ === 0 ? '' : ',') + canonicalJson({ id: s.id, input: s.input, reference: s.reference ?? null, label: s.label ?? null }));
  }

  digest(): string {
    return this.hash.update(']').digest('hex');
  }
}

/** A loghub source's log file: a shipped system's 2k log, or a path of the suite's. */
function loghubLog(spec: SpecOf<'loghub-chunks' | 'loghub-windows'>, resolve: (file: string) => string): { file: string; idPrefix: string } {
  if (spec.system) return { file: shippedLoghubLog(spec.system), idPrefix: spec.system };
  if (spec.path) {
    const file = resolve(spec.path);
    return { file, idPrefix: fileStem(file) };
  }
  throw new Error(`dataset ${spec.source}: give exactly one of system or path`);
}

/** The dataset's records; a loader that streams hands each sample to `sink` instead of keeping it. */
async function loadRecords(spec: DatasetSpec, ctx: DatasetLoadContext, sink?: (sample: Sample) => void): Promise<LoadedRecords> {
  const resolve = (file: string): string => path.resolve(ctx.baseDir, file);
  switch (spec.source) {
    case 'sharegpt': {
      const file = resolve(spec.path);
      return loadShareGpt({ file, idPrefix: fileStem(file), skipInvalid: spec.skip_invalid, stripPromptFile: spec.strip_prompt && resolve(spec.strip_prompt) });
    }
    case 'alpaca':
      return loadAlpaca(resolve(spec.path), spec.skip_invalid);
    case 'jsonl':
      return loadJsonl(resolve(spec.path), spec, sink);
    case 'logllm-csv':
      return loadLogllmCsv(resolve(spec.path), spec.skip_invalid);
    case 'loghub-chunks': {
      const { file, idPrefix } = loghubLog(spec, resolve);
      return loadLoghubChunks(file, idPrefix, spec);
    }
    case 'loghub-windows': {
      const { file, idPrefix } = loghubLog(spec, resolve);
      return loadLoghubWindows(file, idPrefix, spec.log_format ?? LOGLLM_LOG_FORMATS[spec.system ?? 'BGL'], spec);
    }
    case 'journalctl':
      return loadJournalctl(resolve(spec.path), spec);
    case 'remote': {
      const remote = ctx.remoteFiles?.[spec.name] ?? REMOTE_FILES[spec.name];
      const dataDir = spec.data_dir !== undefined ? resolve(spec.data_dir) : ctx.dataDir;
      const file = await resolveRemoteFile(spec.name, remote, { dataDir, cacheDir: ctx.cacheDir, fetchImpl: ctx.fetchImpl });
      return loadShareGpt({ file, idPrefix: spec.name, skipInvalid: spec.skip_invalid, stripPromptFile: spec.strip_prompt && resolve(spec.strip_prompt) });
    }
  }
}

function describeSource(spec: DatasetSpec): string {
  if (spec.source === 'remote') return `remote ${spec.name}`;
  if ('system' in spec && spec.system) return `${spec.source} ${spec.system}`;
  return `${spec.source} ${'path' in spec ? spec.path : ''}`;
}

/** An `offset`, `limit` or `count` of the dataset section that reaches past the end of the split; `field` names it. */
export class DatasetRangeError extends Error {
  override readonly name = 'DatasetRangeError';
  constructor(
    readonly field: 'offset' | 'limit' | 'count',
    readonly reason: string,
  ) {
    super(`dataset.${field}: ${reason}`);
  }
}

/**
 * Loads the split a suite's `dataset:` names. Samples keep file order unless `shuffle` is set (seeded);
 * `offset` then drops the first N (a time-ordered held-out part: the samples after a cut) and `limit`
 * keeps the next N. An empty split is an error, and so are an offset or limit that reach past its end:
 * they would silently evaluate fewer samples than the suite says.
 */
export async function loadDataset(spec: DatasetSpec, ctx: DatasetLoadContext): Promise<LoadedSplit> {
  const { samples: all, skipped } = await loadRecords(spec, ctx);
  checkRange(spec, all.length, skipped);
  const ordered = spec.shuffle ? seededShuffle(all, spec.seed) : all;
  const start = spec.offset;
  const samples = ordered.slice(start, spec.limit === undefined ? undefined : start + spec.limit);
  return { name: spec.split, samples, splitHash: splitHashOf(samples), skipped };
}

/** Refuses an empty dataset, and an offset, limit or count past its end (`total` samples read). */
function checkRange(spec: DatasetSpec, total: number, skipped: readonly LoadedRecords['skipped'][number][]): void {
  const source = describeSource(spec);
  const invalid = skipped.length ? `, ${skipped.length} skipped as invalid` : '';
  if (total === 0) throw new Error(`dataset ${source}: no samples${invalid ? ` (${invalid.slice(2)})` : ''}`);
  if (spec.source === 'loghub-chunks' && spec.count !== undefined && total + skipped.length < spec.count) {
    throw new DatasetRangeError('count', `${spec.count} chunks asked for, but ${source} holds ${total + skipped.length}`);
  }
  if (spec.offset >= total) throw new DatasetRangeError('offset', `${spec.offset} is past the end of the split (${source}: ${total} samples${invalid})`);
  if (spec.limit !== undefined && spec.offset + spec.limit > total) {
    throw new DatasetRangeError('limit', `${spec.limit} samples asked for after dataset.offset ${spec.offset}, but the split (${source}) has ${total - spec.offset} left of ${total}${invalid}`);
  }
}

/** A split of which only some samples are kept: its hash and size are the whole split's. */
export interface SelectedSplit extends LoadedSplit {
  /** How many samples the whole split has (`samples` holds the selected ones). */
  size: number;
}

/**
 * `loadDataset`, keeping only the samples whose index in the split passes `keep` (a `--shard` or
 * `--limit` selection): the same samples, hash and errors as filtering the whole split. A JSONL file
 * (not shuffled) streams through, so a shard of a 100,000-sample file never holds the other shards'
 * samples; other sources are loaded whole, then filtered.
 */
export async function loadSelectedSplit(spec: DatasetSpec, ctx: DatasetLoadContext, keep: (index: number) => boolean): Promise<SelectedSplit> {
  if (spec.source !== 'jsonl' || spec.shuffle) {
    const split = await loadDataset(spec, ctx);
    return { ...split, samples: split.samples.filter((_, i) => keep(i)), size: split.samples.length };
  }
  const hasher = new SplitHasher();
  const kept: Sample[] = [];
  const end = spec.limit === undefined ? Number.POSITIVE_INFINITY : spec.offset + spec.limit;
  let read = 0;
  const { skipped } = await loadRecords(spec, ctx, (sample) => {
    const at = read++;
    if (at < spec.offset || at >= end) return;
    if (keep(at - spec.offset)) kept.push(sample);
    hasher.add(sample);
  });
  checkRange(spec, read, skipped);
  return { name: spec.split, samples: kept, splitHash: hasher.digest(), skipped, size: hasher.count };
}
