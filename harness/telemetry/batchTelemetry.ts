import type { Prediction } from '../../core/prediction.js';

/** What the store keeps for every batch (DESIGN §4 `batches`); GPU figures are null where no GPU is visible. */
export interface BatchTelemetry {
  batchIndex: number;
  size: number;
  startedAt: Date;
  wallMs: number;
  cpuMs: number;
  rssPeakBytes: number;
  tokensIn: number;
  tokensOut: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyMaxMs: number | null;
  gpuUtilAvg: number | null;
  gpuUtilMax: number | null;
  gpuMemPeakMb: number | null;
  gpuMemDeltaMb: number | null;
  gpuTimeMs: number | null;
  /** Joules the selected GPUs used in the batch window (energy counter delta, or ∫ power dt). */
  energyJ: number | null;
  /** Their summed mean power draw over the window, W. */
  powerAvgW: number | null;
  /** Where the GPU figures come from; null when no GPU is sampled. */
  gpuSource: GpuSource | null;
  /** Why the GPU figures are null ("no GPU visible (…)", "scrape failed: …"); null when they are not. */
  telemetryNote: string | null;
  /** vLLM server-side figures when the run names a /metrics endpoint; null when a scrape failed. */
  server?: ServerBatchFigures | null;
}

/** Local GPUs through `nvidia-smi`, or a DCGM exporter's Prometheus page (`harness/telemetry/dcgm.ts`). */
export type GpuSource = 'nvidia-smi' | 'dcgm';

/** The GPU columns of a batch, as `harness/telemetry/gpu.ts` computes them over the batch window. */
export type GpuBatchFigures = Pick<
  BatchTelemetry,
  'gpuUtilAvg' | 'gpuUtilMax' | 'gpuMemPeakMb' | 'gpuMemDeltaMb' | 'gpuTimeMs' | 'energyJ' | 'powerAvgW'
>;

export const NO_GPU_FIGURES: GpuBatchFigures = {
  gpuUtilAvg: null,
  gpuUtilMax: null,
  gpuMemPeakMb: null,
  gpuMemDeltaMb: null,
  gpuTimeMs: null,
  energyJ: null,
  powerAvgW: null,
};

/** A batch's GPU figures with where they came from, or why there are none. */
export interface GpuBatchReading {
  figures: GpuBatchFigures;
  source: GpuSource | null;
  note: string | null;
}

/**
 * Telemetry notes and warnings are at most this long: a reason may quote what a server sent (a parse
 * error's token, an error body), and the note is stored per batch, printed and shown in the report.
 */
export const MAX_NOTE_CHARS = 200;

/** `text` as a telemetry note or warning: one line, at most `MAX_NOTE_CHARS` (cut with "…"). */
export function capNote(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= MAX_NOTE_CHARS ? line : `${line.slice(0, MAX_NOTE_CHARS - 1)}…`;
}

/** A batch's GPU columns from the sampler's reading; the one place a batch's telemetry note is capped. */
export function gpuColumns(gpu: GpuBatchReading): GpuBatchFigures & Pick<BatchTelemetry, 'gpuSource' | 'telemetryNote'> {
  return { ...gpu.figures, gpuSource: gpu.source, telemetryNote: gpu.note === null ? null : capNote(gpu.note) };
}

/** No GPU figures, for `reason`. */
export const noGpuReading = (reason: string, source: GpuSource | null = null): GpuBatchReading => ({ figures: NO_GPU_FIGURES, source, note: reason });

/**
 * What a vLLM server did during one batch, from its Prometheus /metrics page scraped before and after
 * (`harness/telemetry/prometheus.ts`). Counters are deltas (null when absent or when the counter went
 * backwards, i.e. the server restarted); gauges are read at both ends, because a batch that finished
 * leaves them at rest, and a non-zero `requestsRunningBefore` means someone else's requests share the deltas.
 */
export interface ServerBatchFigures {
  promptTokens: number | null;
  generationTokens: number | null;
  requestsFinished: number | null;
  e2eLatencySumMs: number | null;
  e2eLatencyMeanMs: number | null;
  kvCacheUsageBefore: number | null;
  kvCacheUsageAfter: number | null;
  requestsRunningBefore: number | null;
  requestsRunningAfter: number | null;
}

/** Nearest-rank percentile (the definition most latency dashboards use); null for no values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** The process's lifetime peak resident set (getrusage ru_maxrss), in bytes. */
function lifetimePeakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Measures one batch from construction to `finish()`: wall and process CPU time, and the batch's
 * peak resident set without a polling timer: when the process's lifetime peak (getrusage) rose
 * during the batch, the batch set it; otherwise the batch's peak is the larger of the resident
 * sets at its two ends (a lower bound, exact whenever memory did not spike and fall back inside).
 */
export class BatchMeter {
  private readonly startedAt = new Date();
  private readonly wallStart = performance.now();
  private readonly cpuStart = process.cpuUsage();
  private readonly rssAtStart = process.memoryUsage.rss();
  private readonly lifetimePeakAtStart = lifetimePeakRss();

  constructor(private readonly batchIndex: number) {}

  private batchPeakRss(): number {
    const lifetimePeak = lifetimePeakRss();
    return lifetimePeak > this.lifetimePeakAtStart ? lifetimePeak : Math.max(this.rssAtStart, process.memoryUsage.rss());
  }

  /** `gpu` carries the GPU sampler's reading of this batch's window; without it the GPU columns stay null. */
  finish(predictions: readonly Prediction[], gpu: GpuBatchReading = noGpuReading('GPU sampling is off for this run')): BatchTelemetry {
    const cpu = process.cpuUsage(this.cpuStart);
    const latencies = predictions.filter((p) => !p.cached).map((p) => p.latencyMs).sort((a, b) => a - b);
    let tokensIn = 0;
    let tokensOut = 0;
    for (const p of predictions) {
      tokensIn += p.tokensIn ?? 0;
      tokensOut += p.tokensOut ?? 0;
    }
    return {
      batchIndex: this.batchIndex,
      size: predictions.length,
      startedAt: this.startedAt,
      wallMs: performance.now() - this.wallStart,
      cpuMs: (cpu.user + cpu.system) / 1000,
      rssPeakBytes: this.batchPeakRss(),
      tokensIn,
      tokensOut,
      latencyP50Ms: percentile(latencies, 50),
      latencyP95Ms: percentile(latencies, 95),
      latencyMaxMs: latencies.length ? (latencies[latencies.length - 1] as number) : null,
      ...gpuColumns(gpu),
    };
  }
}
