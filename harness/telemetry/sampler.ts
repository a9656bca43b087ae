import type { Prediction } from '../../core/prediction.js';
import { BatchMeter, type BatchTelemetry } from './batchTelemetry.js';
import { NvidiaSmiSampler, type GpuAvailability, type NvidiaSmiSamplerOptions } from './gpu.js';
import { scrapeVllmMetrics, serverFiguresBetween, type ScrapeResult } from './prometheus.js';

export interface TelemetrySamplerOptions {
  /** nvidia-smi settings, or `false` for runs that use no local GPU (hosted APIs). */
  gpu?: NvidiaSmiSamplerOptions | false;
  /** A vLLM `/metrics` URL, scraped before and after every batch. */
  prometheusUrl?: string;
  prometheusTimeoutMs?: number;
  /** Keep only this `model_name` label of the server's metrics (one of several served models or adapters). */
  modelName?: string;
  /** Told why a scrape failed; that batch's `server` is then null. */
  onWarning?: (message: string) => void;
}

/**
 * Owns the run's telemetry: one nvidia-smi stream for the whole run and, optionally, a vLLM /metrics
 * endpoint. `start()` once, then `batchWindow(i)` … `finish(predictions)` around every batch, `stop()` at the
 * end. Per batch it costs a binary search over the GPU sample ring and, with a URL, one scrape outside the
 * batch's measured wall time: the page read when a batch closes is the next batch's "before" page, since
 * between two batches the run sends the server nothing.
 */
export class TelemetrySampler {
  private readonly gpu: NvidiaSmiSampler | null;
  private pageAtLastClose: ScrapeResult | null = null;
  private runStarted = false;

  constructor(private readonly options: TelemetrySamplerOptions = {}) {
    this.gpu = options.gpu === false ? null : new NvidiaSmiSampler(options.gpu ?? {});
  }

  /** Starts GPU sampling and says whether GPU figures will be recorded; the memory baseline waits for batch one. */
  async start(): Promise<GpuAvailability> {
    if (!this.gpu) return { available: false, reason: 'GPU sampling is off for this run' };
    return this.gpu.start();
  }

  /** For `runs.gpu_name`; null without a sampled GPU. */
  get gpuName(): string | null {
    return this.gpu?.gpuName ?? null;
  }

  /** Opens the window of one batch; resolves once its "before" page (if any) is in. */
  async batchWindow(batchIndex: number): Promise<BatchWindow> {
    if (!this.runStarted) {
      this.runStarted = true;
      this.gpu?.markRunStart();
    }
    let before: ScrapeResult | null = null;
    if (this.options.prometheusUrl !== undefined) {
      before = this.pageAtLastClose?.ok ? this.pageAtLastClose : await this.scrape();
      // Consumed: a window opened while this one runs reads its own "before" page.
      this.pageAtLastClose = null;
    }
    return new BatchWindow(batchIndex, this.gpu, before, async () => {
      this.pageAtLastClose = await this.scrape();
      return this.pageAtLastClose;
    });
  }

  async stop(): Promise<void> {
    await this.gpu?.stop();
  }

  private async scrape(): Promise<ScrapeResult> {
    const result = await scrapeVllmMetrics(this.options.prometheusUrl as string, {
      timeoutMs: this.options.prometheusTimeoutMs,
      modelName: this.options.modelName,
    });
    if (!result.ok) this.options.onWarning?.(`vLLM metrics scrape failed: ${result.reason}`);
    return result;
  }
}

/** One batch being measured; `finish` closes it. */
export class BatchWindow {
  private readonly meter: BatchMeter;
  private readonly openedAtMs: number;
  private finished = false;

  constructor(
    batchIndex: number,
    private readonly gpu: NvidiaSmiSampler | null,
    private readonly serverBefore: ScrapeResult | null,
    private readonly scrapeAfter: () => Promise<ScrapeResult>,
  ) {
    this.meter = new BatchMeter(batchIndex);
    this.openedAtMs = Date.now();
  }

  /** The batch's full record: wall/CPU/RSS, GPU figures over the window, and server deltas when scraped. */
  async finish(predictions: readonly Prediction[]): Promise<BatchTelemetry> {
    if (this.finished) throw new Error('BatchWindow.finish() called twice');
    this.finished = true;
    const closedAtMs = Date.now();
    const telemetry = this.meter.finish(predictions, this.gpu?.window(this.openedAtMs, closedAtMs));
    if (this.serverBefore === null) return telemetry;
    const after = await this.scrapeAfter();
    const server =
      this.serverBefore.ok && after.ok ? serverFiguresBetween(this.serverBefore.snapshot, after.snapshot) : null;
    return { ...telemetry, server };
  }
}
