import type { Prediction } from '../../core/prediction.js';
import { BatchMeter, capNote, gpuColumns, noGpuReading, type BatchTelemetry, type GpuBatchReading } from './batchTelemetry.js';
import { DcgmSampler, type DcgmSamplerOptions } from './dcgm.js';
import { figuresWithinLimits, NvidiaSmiSampler, type GpuAvailability, type NvidiaSmiSamplerOptions } from './gpu.js';
import { scrapeVllmMetrics, serverFiguresBetween, type ScrapeResult } from './prometheus.js';

export interface TelemetrySamplerOptions {
  /** nvidia-smi settings, or `false` for runs that use no local GPU (hosted APIs). */
  gpu?: NvidiaSmiSamplerOptions | false;
  /** A DCGM exporter serving the GPUs the model runs on; when given, nvidia-smi is not started. */
  dcgm?: Omit<DcgmSamplerOptions, 'onWarning'>;
  /** A vLLM `/metrics` URL, or one per replica of the model, scraped before and after every batch. */
  prometheusUrl?: string | readonly string[];
  prometheusTimeoutMs?: number;
  /** Keep only this `model_name` label of the server's metrics (one of several served models or adapters). */
  modelName?: string;
  /** Told why a scrape failed; that batch's `server` is then null. */
  onWarning?: (message: string) => void;
}

/**
 * Owns the run's telemetry: one nvidia-smi stream for the whole run, or a DCGM exporter scraped during
 * each batch (`DcgmSampler`), and, optionally, a vLLM /metrics endpoint. `start()` once, then
 * `batchWindow(i)` … `finish(predictions)` around every batch, `stop()` at the end. Per batch it costs a
 * binary search over the GPU sample ring and, with a URL, one scrape outside the batch's measured wall
 * time: the page read when a batch closes is the next batch's "before" page, since between two batches
 * the run sends the server nothing.
 */
export class TelemetrySampler {
  private readonly gpu: NvidiaSmiSampler | null;
  private readonly dcgm: DcgmSampler | null;
  private pageAtLastClose: ScrapeResult | null = null;
  private runStarted = false;
  /** Why nvidia-smi gives no figures: every batch's `telemetryNote` then. */
  private noGpuReason = 'GPU sampling is off for this run';

  /** Told every warning, cut by `capNote`: a reason may quote what a server sent. */
  private readonly warn: ((message: string) => void) | undefined;

  constructor(private readonly options: TelemetrySamplerOptions = {}) {
    const onWarning = options.onWarning;
    this.warn = onWarning && ((message) => onWarning(capNote(message)));
    this.dcgm = options.dcgm ? new DcgmSampler({ ...options.dcgm, ...(this.warn && { onWarning: this.warn }) }) : null;
    this.gpu = options.gpu === false || this.dcgm ? null : new NvidiaSmiSampler(options.gpu ?? {});
  }

  /** Starts GPU sampling and says whether GPU figures will be recorded; the memory baseline waits for batch one. */
  async start(): Promise<GpuAvailability> {
    const availability = await this.startSource();
    return availability.available ? availability : { available: false, reason: capNote(availability.reason) };
  }

  private async startSource(): Promise<GpuAvailability> {
    if (this.dcgm) return this.dcgm.start();
    if (!this.gpu) return { available: false, reason: this.noGpuReason };
    const availability = await this.gpu.start();
    if (!availability.available) this.noGpuReason = `no GPU visible (${availability.reason})`;
    return availability;
  }

  /** For `runs.gpu_name`; null without a sampled GPU. */
  get gpuName(): string | null {
    return this.dcgm?.gpuName ?? this.gpu?.gpuName ?? null;
  }

  /** The GPU figures of [t0, t1], from whichever source this run samples. */
  private async gpuReading(t0: number, t1: number): Promise<GpuBatchReading> {
    if (this.dcgm) return this.dcgm.closeWindow(t0, t1);
    if (!this.gpu?.available) return noGpuReading(this.noGpuReason);
    const { figures, problems } = figuresWithinLimits(this.gpu.window(t0, t1), t1 - t0, this.gpu.gpuCount);
    const none = Object.values(figures).every((value) => value === null);
    const note = problems.length > 0 ? problems.map((problem) => `left out: ${problem}`).join('; ') : none ? 'no nvidia-smi sample covered the batch' : null;
    return { figures, source: 'nvidia-smi', note };
  }

  /** Opens the window of one batch; resolves once its "before" page (if any) is in. */
  async batchWindow(batchIndex: number): Promise<BatchWindow> {
    // The DCGM page read as the window opens is the reading in force when the run's baseline is taken.
    await this.dcgm?.openWindow();
    if (!this.runStarted) {
      this.runStarted = true;
      this.gpu?.markRunStart();
      this.dcgm?.markRunStart();
    }
    let before: ScrapeResult | null = null;
    if (this.options.prometheusUrl !== undefined) {
      before = this.pageAtLastClose?.ok ? this.pageAtLastClose : await this.scrape();
      // Consumed: a window opened while this one runs reads its own "before" page.
      this.pageAtLastClose = null;
    }
    return new BatchWindow(batchIndex, (t0, t1) => this.gpuReading(t0, t1), before, async () => {
      this.pageAtLastClose = await this.scrape();
      return this.pageAtLastClose;
    });
  }

  async stop(): Promise<void> {
    await this.gpu?.stop();
    await this.dcgm?.stop();
  }

  private async scrape(): Promise<ScrapeResult> {
    const result = await scrapeVllmMetrics(this.options.prometheusUrl as string | readonly string[], {
      timeoutMs: this.options.prometheusTimeoutMs,
      modelName: this.options.modelName,
    });
    if (!result.ok) this.warn?.(`vLLM metrics scrape failed: ${result.reason}`);
    return result;
  }
}

/** One batch being measured; `finish` closes it. */
export class BatchWindow {
  private readonly meter: BatchMeter;
  private finished = false;

  constructor(
    batchIndex: number,
    private readonly gpuReading: (t0: number, t1: number) => Promise<GpuBatchReading>,
    private readonly serverBefore: ScrapeResult | null,
    private readonly scrapeAfter: () => Promise<ScrapeResult>,
  ) {
    this.meter = new BatchMeter(batchIndex);
  }

  /** The batch's full record: wall/CPU/RSS, GPU figures over the window, and server deltas when scraped. */
  async finish(predictions: readonly Prediction[]): Promise<BatchTelemetry> {
    if (this.finished) throw new Error('BatchWindow.finish() called twice');
    this.finished = true;
    // The meter stops first: a closing DCGM scrape is not the batch's wall or CPU time. The GPU window
    // is the stored one, [started_at, started_at + wall_ms], so GPU time never exceeds util × wall.
    const measured = this.meter.finish(predictions);
    const t0 = measured.startedAt.getTime();
    const gpu = await this.gpuReading(t0, t0 + measured.wallMs);
    const telemetry: BatchTelemetry = { ...measured, ...gpuColumns(gpu) };
    if (this.serverBefore === null) return telemetry;
    const after = await this.scrapeAfter();
    const server =
      this.serverBefore.ok && after.ok ? serverFiguresBetween(this.serverBefore.snapshot, after.snapshot) : null;
    return { ...telemetry, server };
  }
}
