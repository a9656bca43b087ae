import { NO_GPU_FIGURES, type GpuBatchReading } from './batchTelemetry.js';
import { describeGpus, gpuWindowFigures, memoryBaseline, SampleRing, type GpuAvailability } from './gpu.js';
import { completeDcgmUrl } from './dcgmSpec.js';
import { fetchPrometheusPage, type PrometheusPage } from './prometheus.js';
import { redactEndpoint } from '../store/endpoint.js';

/**
 * The DCGM exporter's fields the sampler reads, with the units its default counters CSV gives them
 * (NVIDIA/dcgm-exporter etc/default-counters.csv): utilisation in %, framebuffer used in MiB, power
 * in W, and the energy counter in mJ since boot.
 */
export const DCGM_FIELDS = {
  util: 'DCGM_FI_DEV_GPU_UTIL',
  fbUsed: 'DCGM_FI_DEV_FB_USED',
  power: 'DCGM_FI_DEV_POWER_USAGE',
  energy: 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION',
} as const;
const FIELD_NAMES = new Set<string>(Object.values(DCGM_FIELDS));

/**
 * Which of an exporter's GPUs a run measures: a GPU is kept when its series match every list given
 * (`gpu`: the index label; `uuid`: `UUID`, or `uuid` on exporters started with the old label names;
 * `pod`: `pod`, or `pod_name`, which the exporter sets on GPUs a Kubernetes pod holds). Nothing given: all.
 */
export interface DcgmGpuSelection {
  gpu?: readonly (string | number)[];
  uuid?: readonly string[];
  pod?: readonly string[];
}

/** One GPU's readings on one page. */
export interface DcgmGpuReading {
  /** The `gpu` index label (the UUID where it lacks one): one exporter serves one node, so it names the GPU. */
  key: string;
  gpu: string;
  name: string | null;
  utilPct: number | null;
  fbUsedMb: number | null;
  powerW: number | null;
  /** DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION converted from mJ. */
  energyJ: number | null;
}

// DCGM's "no value" sentinels, which older exporters printed as numbers (the README's example shows
// DCGM_FI_DEV_MEMORY_TEMP 9223372036854775794); newer ones skip them (collector/utils.go isBlankValue).
const INT32_BLANK = 0x7ffffff0;
/** DCGM_FT_FP64_BLANK; the INT64 sentinels (0x7ffffffffffffff0…) lie above it too. */
const FP64_BLANK = 2 ** 47;

function dcgmValue(value: number): number | null {
  if (!Number.isFinite(value) || value < 0 || value >= FP64_BLANK) return null;
  return value >= INT32_BLANK && value <= INT32_BLANK + 3 ? null : value;
}

const label = (labels: Readonly<Record<string, string>>, ...names: string[]): string | undefined =>
  names.map((name) => labels[name]).find((value) => value !== undefined && value !== '');

function selected(labels: Readonly<Record<string, string>>, select: DcgmGpuSelection): boolean {
  const matches = (list: readonly (string | number)[] | undefined, value: string | undefined) =>
    list === undefined || (value !== undefined && list.some((wanted) => String(wanted) === value));
  return matches(select.gpu, labels['gpu']) && matches(select.uuid, label(labels, 'UUID', 'uuid')) && matches(select.pod, label(labels, 'pod', 'pod_name'));
}

/**
 * The selected GPUs' readings on a DCGM exporter page, in page order. Where one GPU has several series
 * of a field (time-sliced GPUs shared by several pods repeat the device's figures once per pod; MIG
 * instances repeat its power and energy), the first is taken, so no GPU is counted twice.
 */
export function readDcgmPage(page: PrometheusPage, select: DcgmGpuSelection = {}): DcgmGpuReading[] {
  const byKey = new Map<string, DcgmGpuReading>();
  for (const sample of page.samples) {
    if (!FIELD_NAMES.has(sample.name) || !selected(sample.labels, select)) continue;
    const gpu = sample.labels['gpu'] ?? '';
    // Masked pages (`UUID="GPU-********"`) repeat one UUID, so the index comes first.
    const key = gpu !== '' ? `gpu ${gpu}` : (label(sample.labels, 'UUID', 'uuid') ?? '');
    let reading = byKey.get(key);
    if (!reading) {
      reading = { key, gpu, name: label(sample.labels, 'modelName') ?? null, utilPct: null, fbUsedMb: null, powerW: null, energyJ: null };
      byKey.set(key, reading);
    }
    const value = dcgmValue(sample.value);
    if (sample.name === DCGM_FIELDS.util) reading.utilPct ??= value;
    else if (sample.name === DCGM_FIELDS.fbUsed) reading.fbUsedMb ??= value;
    else if (sample.name === DCGM_FIELDS.power) reading.powerW ??= value;
    else reading.energyJ ??= value === null ? null : value / 1000;
  }
  return [...byKey.values()];
}

function describeSelection(select: DcgmGpuSelection): string {
  const parts = (['gpu', 'uuid', 'pod'] as const).filter((k) => select[k] !== undefined).map((k) => `${k}: ${select[k]?.join(', ')}`);
  return parts.length ? `the selection (${parts.join('; ')})` : 'any GPU';
}

export interface DcgmSamplerOptions {
  /** The exporter's page, e.g. http://gpu-node:9400/metrics (`http://gpu-node` means just that: `completeDcgmUrl`). */
  url: string;
  /** Scrape interval while a batch runs (suite `telemetry.gpu_sample_ms`). */
  intervalMs?: number;
  /** Per scrape; a scrape that takes longer fails the batch's GPU figures. */
  timeoutMs?: number;
  select?: DcgmGpuSelection;
  /** The memory baseline averages the readings of this long before the run's first batch, as for nvidia-smi. */
  baselineMs?: number;
  ringCapacity?: number;
  /** Told when scraping starts failing and when it recovers. */
  onWarning?: (message: string) => void;
}

/** What one scrape found: the selected GPUs' readings, or what went wrong. */
export interface DcgmScrape {
  problem: string | null;
  readings: DcgmGpuReading[];
  atMs: number;
}

/**
 * Energy (J) and mean power (W) of the selected GPUs from their energy counters: the counters' rise
 * between the scrape that opened the batch and the one that closed it, summed over the GPUs. Null unless
 * every GPU of the closing page had a counter at both ends that did not go back (a driver reload resets it).
 */
export function counterEnergy(opened: DcgmScrape, closed: DcgmScrape): { energyJ: number; powerAvgW: number } | null {
  const before = new Map(opened.readings.map((reading) => [reading.key, reading.energyJ]));
  let joules = 0;
  for (const reading of closed.readings) {
    const start = before.get(reading.key);
    if (start == null || reading.energyJ === null || reading.energyJ < start) return null;
    joules += reading.energyJ - start;
  }
  const seconds = (closed.atMs - opened.atMs) / 1000;
  return closed.readings.length > 0 && seconds > 0 ? { energyJ: joules, powerAvgW: joules / seconds } : null;
}

/**
 * Samples a DCGM exporter during each batch: one scrape as the batch opens (the previous batch's closing
 * one, when it just ran), one every `intervalMs` while it runs and one as it closes; nothing between batches. The readings go into the same per-GPU sample
 * rings as nvidia-smi's, so GPU time, utilisation and memory are `gpuWindowFigures` of the same kind;
 * energy is the energy counter's rise between the opening and the closing scrape (`counterEnergy`), or,
 * where a GPU has no counter, DCGM_FI_DEV_POWER_USAGE integrated over the window.
 * A batch during which any scrape failed (refused, timed out, HTTP error, not a metrics page, over the
 * size cap) or which saw no selected GPU gets null GPU figures and the reason; nothing here throws.
 */
export class DcgmSampler {
  private readonly rings = new Map<number, SampleRing>();
  private readonly names = new Map<number, string>();
  private readonly ids = new Map<string, number>();
  private readonly options: Required<Omit<DcgmSamplerOptions, 'onWarning'>> & Pick<DcgmSamplerOptions, 'onWarning'>;
  private readonly shownUrl: string;
  private baselineMb: Map<number, number> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<DcgmScrape> | null = null;
  private opened: DcgmScrape | null = null;
  /** The scrape that closed the previous batch, when it succeeded: the next batch opens on it. */
  private lastClose: DcgmScrape | null = null;
  /** Why the open window's figures cannot be trusted; null while every scrape in it succeeded. */
  private windowProblem: string | null = null;
  private failing = false;

  constructor(options: DcgmSamplerOptions) {
    this.options = {
      url: completeDcgmUrl(options.url),
      intervalMs: options.intervalMs ?? 200,
      timeoutMs: options.timeoutMs ?? 2000,
      select: options.select ?? {},
      baselineMs: options.baselineMs ?? 1000,
      ringCapacity: options.ringCapacity ?? 1 << 16,
      onWarning: options.onWarning,
    };
    this.shownUrl = redactEndpoint(this.options.url);
  }

  /** For `runs.gpu_name`, from the exporter's `modelName` labels (older exporters have none: null). */
  get gpuName(): string | null {
    return this.names.size ? describeGpus(this.names) : null;
  }

  /** Scrapes once, to name the GPUs and say early whether the exporter answers; a failure here is not final. */
  async start(): Promise<GpuAvailability> {
    const { problem } = await this.scrape();
    return problem === null ? { available: true, gpuName: this.gpuName ?? `${this.rings.size} GPU(s) on ${this.shownUrl}` } : { available: false, reason: problem };
  }

  /**
   * Opens a batch window: resolves once its first reading is in, then scrapes every `intervalMs` until
   * `closeWindow`. A batch right after another opens on the reading that closed that one (the run sends
   * the GPUs nothing in between), so each batch waits for one scrape, not two, and the batches' energies
   * add up to the counter's rise over the whole run.
   */
  async openWindow(): Promise<void> {
    this.stopTimer();
    await this.inFlight;
    this.windowProblem = null;
    const previous = this.lastClose;
    this.lastClose = null;
    this.opened = previous !== null && Date.now() - previous.atMs <= this.holdMs ? previous : await this.scrape();
    this.timer = setInterval(() => {
      // A scrape slower than the interval is not joined by a second one.
      if (!this.inFlight) this.inFlight = this.scrape().finally(() => (this.inFlight = null));
    }, this.options.intervalMs);
    // A window someone forgot to close must not keep the harness alive.
    this.timer.unref();
  }

  /** Takes the memory baseline (`memoryBaseline`) as the run's first batch opens. */
  markRunStart(atMs: number = Date.now()): void {
    this.baselineMb = memoryBaseline(this.rings, atMs, this.options.baselineMs);
  }

  /** Closes the window [t0, t1] (epoch ms) with one more scrape and returns its GPU figures, or why there are none. */
  async closeWindow(t0: number, t1: number): Promise<GpuBatchReading> {
    this.stopTimer();
    await this.inFlight;
    const closed = await this.scrape();
    const opened = this.opened;
    this.opened = null;
    if (closed.problem === null) this.lastClose = closed;
    if (this.windowProblem !== null || opened === null) return { figures: NO_GPU_FIGURES, source: 'dcgm', note: this.windowProblem ?? 'the batch window was not opened' };
    const figures = { ...gpuWindowFigures(this.rings, this.baselineMb ?? new Map(), t0, t1, this.holdMs), ...counterEnergy(opened, closed) };
    const none = Object.values(figures).every((value) => value === null);
    return { figures, source: 'dcgm', note: none ? `no DCGM reading of ${this.shownUrl} covered the batch` : null };
  }

  async stop(): Promise<void> {
    this.stopTimer();
    this.lastClose = null;
    await this.inFlight;
  }

  /** A reading stands for the GPU this long (as for nvidia-smi): over a window's unreported tail, or as the next batch's opening reading. */
  private get holdMs(): number {
    return Math.max(1000, 3 * this.options.intervalMs);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async scrape(): Promise<DcgmScrape> {
    const result = await fetchPrometheusPage(this.options.url, (name) => FIELD_NAMES.has(name), this.options.timeoutMs);
    const atMs = Date.now();
    let problem: string | null = null;
    let readings: DcgmGpuReading[] = [];
    if (!result.ok) problem = `scrape failed: ${result.reason}`;
    else {
      readings = readDcgmPage(result.page, this.options.select);
      if (readings.length === 0) problem = `no GPU on ${this.shownUrl} matches ${describeSelection(this.options.select)}`;
      for (const reading of readings) this.record(reading, atMs);
    }
    this.windowProblem ??= problem;
    if (problem !== null && !this.failing) this.options.onWarning?.(`DCGM ${problem}`);
    if (problem === null && this.failing) this.options.onWarning?.(`DCGM scrapes of ${this.shownUrl} answer again`);
    this.failing = problem !== null;
    return { problem, readings, atMs };
  }

  private record(reading: DcgmGpuReading, timeMs: number): void {
    let id = this.ids.get(reading.key);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(reading.key, id);
      this.rings.set(id, new SampleRing(this.options.ringCapacity));
      if (reading.name !== null) this.names.set(id, reading.name);
    }
    this.rings.get(id)?.push(timeMs, reading.utilPct, reading.fbUsedMb, reading.powerW);
  }
}
