import type { Prediction } from '../../core/prediction.js';
import type { GpuSource, ServerBatchFigures } from '../telemetry/batchTelemetry.js';

export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted';

/**
 * The part of the split a run covers when it is not the whole split (`run --limit` / `--shard`).
 * Part of the run's identity: a subset never resumes, rescores or stands in for a full run.
 */
export interface RunSelection {
  limit?: number;
  shard?: { index: number; count: number };
  /** Samples selected, and the split's size. */
  samples: number;
  splitSamples: number;
}

/** What the harness knows when a run starts. Secrets never belong here: keep API key *names* in `suite`. */
export interface NewRun {
  /** Chosen by the store when absent. */
  id?: string;
  /** Hash identifying "the same run" (suite, model, split, prompt, decoding): rerunning with it resumes. */
  runKey: string;
  suiteName: string;
  suitePath?: string;
  modelId: string;
  variant?: string;
  provider: string;
  modelName?: string;
  /** Stored without userinfo, query or fragment (see `redactEndpoint`). */
  endpoint?: string;
  task: string;
  startedAt?: Date;
  gitSha?: string;
  gitDirty?: boolean;
  harnessVersion: string;
  nodeVersion: string;
  host: string;
  gpuName?: string;
  configHash: string;
  splitHash: string;
  promptHash?: string;
  decoding: Record<string, unknown>;
  /** The parsed suite, API keys referenced by environment-variable name only. */
  suite: unknown;
  /** Absent for a run over the whole split. */
  selection?: RunSelection;
}

export interface StoredRun {
  id: string;
  runKey: string;
  suiteName: string;
  suitePath: string | null;
  modelId: string;
  variant: string | null;
  provider: string;
  modelName: string | null;
  endpoint: string | null;
  task: string;
  status: RunStatus;
  /** ISO 8601. */
  startedAt: string;
  finishedAt: string | null;
  gitSha: string | null;
  gitDirty: boolean | null;
  harnessVersion: string;
  nodeVersion: string;
  host: string;
  gpuName: string | null;
  configHash: string;
  splitHash: string;
  promptHash: string | null;
  decoding: Record<string, unknown>;
  suite: unknown;
  /** Null for a run over the whole split (and for runs stored before selections were recorded). */
  selection: RunSelection | null;
}

/** Resource use of one batch, as the telemetry sampler measured it. GPU fields are absent without a GPU. */
export interface BatchRecord {
  batchIndex: number;
  size: number;
  startedAt: Date;
  wallMs: number;
  cpuMs?: number;
  rssPeakBytes?: number;
  gpuUtilAvg?: number;
  gpuUtilMax?: number;
  gpuMemPeakMb?: number;
  gpuMemDeltaMb?: number;
  gpuTimeMs?: number;
  tokensIn?: number;
  tokensOut?: number;
  latencyP50Ms?: number;
  latencyP95Ms?: number;
  latencyMaxMs?: number;
  /** Inference-server figures for the batch window (vLLM /metrics deltas), where a suite names the URL. */
  server?: ServerBatchFigures | null;
  /** Joules the measured GPUs used in the batch window; a run's energy is the sum over its batches. */
  energyJ?: number;
  /** Their summed mean power draw over the window, W. */
  powerAvgW?: number;
  /** Which telemetry measured the GPUs: local `nvidia-smi` or a DCGM exporter (`gpu_metrics_url`). */
  gpuSource?: GpuSource;
  /** Why the GPU figures are absent: "no GPU visible (…)", "scrape failed: …". */
  telemetryNote?: string;
  /** The endpoints that answered the batch's requests, sorted, joined by ", " (credentials never: see `redactEndpoint`). */
  replicas?: string;
}

export interface StoredBatch extends Required<Pick<BatchRecord, 'batchIndex' | 'size' | 'wallMs'>> {
  runId: string;
  startedAt: string;
  cpuMs: number | null;
  rssPeakBytes: number | null;
  gpuUtilAvg: number | null;
  gpuUtilMax: number | null;
  gpuMemPeakMb: number | null;
  gpuMemDeltaMb: number | null;
  gpuTimeMs: number | null;
  tokensIn: number | null;
  tokensOut: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyMaxMs: number | null;
  server: ServerBatchFigures | null;
  energyJ: number | null;
  powerAvgW: number | null;
  gpuSource: GpuSource | null;
  telemetryNote: string | null;
  replicas: string | null;
}

/** A runner's prediction plus what the task parser extracted from it (`label` holds the parsed label). */
export interface PredictionRecord extends Prediction {
  score?: Record<string, unknown>;
}

export interface StoredPrediction {
  runId: string;
  sampleId: string;
  batchIndex: number;
  text: string | null;
  label: string | null;
  probs: Record<string, number> | null;
  score: Record<string, unknown> | null;
  latencyMs: number;
  tokensIn: number | null;
  tokensOut: number | null;
  error: string | null;
  cached: boolean;
  createdAt: string;
}

/** One per-sample score (`rougeL` of sample 17). `null` where the metric is undefined for that sample. */
export interface SampleMetricRecord {
  sampleId: string;
  name: string;
  value: number | null;
}

export interface StoredSampleMetric extends SampleMetricRecord {
  runId: string;
}

/** A corpus-level aggregate with its bootstrap interval when one was computed. */
export interface MetricRecord {
  name: string;
  value: number | null;
  ciLow?: number;
  ciHigh?: number;
  n: number;
}

export interface StoredMetric {
  runId: string;
  name: string;
  value: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  n: number;
}

/** A successful provider response. Failed requests are never cached. */
export interface CacheRecord {
  requestHash: string;
  provider: string;
  model: string;
  response: unknown;
}

export interface StoredCacheEntry extends CacheRecord {
  createdAt: string;
}

export interface StoredSample {
  splitHash: string;
  id: string;
  /** sha256 of the input text, so runs can be joined on content without comparing long strings. */
  inputHash: string;
  input: string;
  reference: string | null;
  label: string | null;
  meta: Record<string, unknown>;
}
