import { capNote, NO_GPU_FIGURES, type GpuBatchFigures, type GpuBatchReading } from './batchTelemetry.js';
import { describeGpus, figuresWithinLimits, GPU_LIMITS, gpuWindowFigures, memoryBaseline, SampleRing, type GpuAvailability } from './gpu.js';
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
  /**
   * Host and GPU: `Hostname` (the exporter's node) and the `gpu` index, or the UUID where it lacks one. The
   * index alone names a GPU only on one node's page; a Service in front of several exporters answers for any.
   */
  key: string;
  /** The `Hostname` label; null on exporters that leave it out. */
  host: string | null;
  gpu: string;
  name: string | null;
  /** The MIG instance a selected series belongs to (`GPU_I_PROFILE`, else `GPU_I_ID`); null for a whole GPU. */
  mig: string | null;
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
    const host = label(sample.labels, 'Hostname') ?? null;
    // Masked pages (`UUID="GPU-********"`) repeat one UUID, so the index comes first.
    const device = gpu !== '' ? `gpu ${gpu}` : (label(sample.labels, 'UUID', 'uuid') ?? '');
    const key = host === null ? device : `${host} ${device}`;
    let reading = byKey.get(key);
    if (!reading) {
      reading = { key, host, gpu, name: label(sample.labels, 'modelName') ?? null, mig: null, utilPct: null, fbUsedMb: null, powerW: null, energyJ: null };
      byKey.set(key, reading);
    }
    reading.mig ??= label(sample.labels, 'GPU_I_PROFILE', 'GPU_I_ID') ?? null;
    const value = dcgmValue(sample.value);
    if (sample.name === DCGM_FIELDS.util) reading.utilPct ??= value;
    else if (sample.name === DCGM_FIELDS.fbUsed) reading.fbUsedMb ??= value;
    else if (sample.name === DCGM_FIELDS.power) reading.powerW ??= value;
    else reading.energyJ ??= value === null ? null : value / 1000;
  }
  return [...byKey.values()];
}

/**
 * Why a page's selected GPUs cannot be one node's: the same `gpu` index under two `Hostname`s (a
 * federating or load-balancing endpoint), or other hosts than the run's first page named. Null when fine.
 */
export function mixedHosts(readings: readonly DcgmGpuReading[], runHosts: string | null): string | null {
  const hostsOf = new Map<string, Set<string>>();
  for (const reading of readings) if (reading.host !== null) hostsOf.set(reading.gpu, (hostsOf.get(reading.gpu) ?? new Set()).add(reading.host));
  const hosts = hostSet(readings);
  const twice = [...hostsOf].find(([, set]) => set.size > 1);
  const seen = twice ? `gpu ${twice[0]} on ${[...twice[1]].join(' and ')}` : runHosts !== null && hosts !== runHosts ? `${runHosts} first, now ${hosts}` : null;
  return seen === null ? null : `the exporter answered for different hosts (${seen}): point gpu_metrics_url at one exporter pod or host, not a Service`;
}

/** The `Hostname`s of some readings, sorted and joined ('' when none is labelled). */
export const hostSet = (readings: readonly DcgmGpuReading[]): string =>
  [...new Set(readings.flatMap((reading) => (reading.host === null ? [] : [reading.host])))].sort().join(', ');

/** The GPUs of some readings, sorted and joined: a window's readings must all name the same ones. */
const gpuSet = (readings: readonly DcgmGpuReading[]): string => readings.map((reading) => reading.key).sort().join(', ');

type Family = 'util' | 'mem' | 'power';

/**
 * Nulls the readings no GPU can give (`GPU_LIMITS`: utilisation over 100 %, over 1 TiB used, over 10 kW),
 * so they reach no sample ring, and says which families of figures they spoil.
 */
function withinLimits(reading: DcgmGpuReading): Map<Family, string> {
  const spoilt = new Map<Family, string>();
  if (reading.utilPct !== null && reading.utilPct > GPU_LIMITS.utilPct) {
    spoilt.set('util', `${reading.key} reported utilisation ${reading.utilPct} %`);
    reading.utilPct = null;
  }
  if (reading.fbUsedMb !== null && reading.fbUsedMb > GPU_LIMITS.memMb) {
    spoilt.set('mem', `${reading.key} reported ${reading.fbUsedMb} MiB used`);
    reading.fbUsedMb = null;
  }
  if (reading.powerW !== null && reading.powerW > GPU_LIMITS.powerW) {
    spoilt.set('power', `${reading.key} reported ${reading.powerW} W`);
    reading.powerW = null;
  }
  return spoilt;
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
  /**
   * After a scrape the exporter did not answer (refused, timed out, trickling, over the size cap), the run
   * waits for no scrape this long: batches opening meanwhile get no GPU figures, and one scrape in the
   * background, not awaited by any batch, tries again once it has passed.
   */
  retryAfterMs?: number;
  /** Told when scraping starts failing and when it recovers. */
  onWarning?: (message: string) => void;
}

/** What one scrape found: the selected GPUs' readings, or what went wrong. */
export interface DcgmScrape {
  problem: string | null;
  readings: DcgmGpuReading[];
  atMs: number;
  /** Figure families its readings past `GPU_LIMITS` spoil (those readings are nulled), with the reading. */
  spoilt?: ReadonlyMap<Family, string>;
}

/** A counter rise above this many times the highest power reading of the window is not this window's energy. */
export const COUNTER_OVER_POWER = 2;

/**
 * Energy (J) and mean power (W) of the selected GPUs from their energy counters: the counters' rise
 * between the scrape that opened the batch and the one that closed it, summed over the GPUs. Null unless
 * every GPU of the closing page had a counter at both ends that did not go back (a driver reload resets it):
 * the power readings are integrated instead. With `maxPowerW` (each GPU's highest DCGM_FI_DEV_POWER_USAGE
 * over the window) a counter that cannot be the window's energy is `rejected`, with why: one that did not move
 * while the GPU drew power (the exporter's page is older than the batch: it collects every 30 s by default),
 * one that rose more than `COUNTER_OVER_POWER` × that power over the window (a stale page refreshed: the
 * energy of earlier seconds lands at once), and one implying more than 10 kW a GPU.
 */
export function counterEnergy(
  opened: DcgmScrape,
  closed: DcgmScrape,
  maxPowerW: ReadonlyMap<string, number> = new Map(),
): { energyJ: number; powerAvgW: number } | { rejected: string } | null {
  const before = new Map(opened.readings.map((reading) => [reading.key, reading.energyJ]));
  const seconds = (closed.atMs - opened.atMs) / 1000;
  if (closed.readings.length === 0 || seconds <= 0) return null;
  let joules = 0;
  for (const reading of closed.readings) {
    const start = before.get(reading.key);
    if (start == null || reading.energyJ === null || reading.energyJ < start) return null;
    const rise = reading.energyJ - start;
    const power = maxPowerW.get(reading.key) ?? null;
    const implied = rise / seconds;
    if (rise === 0 && power !== null && power > 0) {
      return { rejected: `the energy counter of ${reading.key} did not move while its power read ${power} W (a page older than the batch: the exporter's -c interval)` };
    }
    if (power !== null && implied > COUNTER_OVER_POWER * power) {
      return { rejected: `the energy counter of ${reading.key} rose ${rise.toFixed(1)} J in ${seconds.toFixed(2)} s (${implied.toFixed(0)} W) while its power read at most ${power} W` };
    }
    if (implied > GPU_LIMITS.powerW) return { rejected: `the energy counter of ${reading.key} rose ${rise.toFixed(1)} J in ${seconds.toFixed(2)} s, past ${GPU_LIMITS.powerW} W` };
    joules += rise;
  }
  return { energyJ: joules, powerAvgW: joules / seconds };
}

/** One batch window: the scrape it opened on and what the scrapes since say about it. */
interface OpenWindow {
  opened: DcgmScrape | null;
  /** Why its figures cannot be trusted; null while every scrape in it succeeded over the same GPUs. */
  problem: string | null;
  /** Each GPU's highest power reading so far. */
  maxPowerW: Map<string, number>;
  /** Figure families spoilt by a reading past `GPU_LIMITS`, with the reading. */
  spoilt: Map<Family, string>;
  /** MIG instances among the selected series: their power and energy are the whole device's. */
  mig: Set<string>;
}

const FAMILY_FIGURES: Record<Family, (keyof GpuBatchFigures)[]> = {
  util: ['gpuUtilAvg', 'gpuUtilMax', 'gpuTimeMs'],
  mem: ['gpuMemPeakMb', 'gpuMemDeltaMb'],
  power: ['energyJ', 'powerAvgW'],
};

/**
 * Samples a DCGM exporter during each batch: one scrape as the batch opens (the previous batch's closing
 * one, when it just ran), one every `intervalMs` while it runs and one as it closes; nothing between batches. The readings go into the same per-GPU sample
 * rings as nvidia-smi's, so GPU time, utilisation and memory are `gpuWindowFigures` of the same kind;
 * energy is the energy counter's rise between the opening and the closing scrape (`counterEnergy`), or,
 * where a GPU has no counter or its counter cannot be the window's energy, DCGM_FI_DEV_POWER_USAGE
 * integrated over the window (the note says so).
 * A batch gets null GPU figures and the reason when any scrape in it failed (refused, timed out, HTTP error,
 * not a metrics page, over the size cap), saw no selected GPU, answered for another host than the run's
 * first page (`mixedHosts`), or saw another set of GPUs than the batch opened on (a GPU that drops off the
 * page would otherwise count in GPU time and memory but not in energy); a family of figures a reading past
 * `GPU_LIMITS` spoilt is null with the reading. After an exporter that did not answer, batches are not kept
 * waiting (`retryAfterMs`). Nothing here throws.
 */
export class DcgmSampler {
  private readonly rings = new Map<number, SampleRing>();
  private readonly names = new Map<number, string>();
  private readonly ids = new Map<string, number>();
  private readonly options: Required<Omit<DcgmSamplerOptions, 'onWarning'>> & Pick<DcgmSamplerOptions, 'onWarning'>;
  private readonly shownUrl: string;
  private readonly stopping = new AbortController();
  private baselineMb: Map<number, number> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<DcgmScrape> | null = null;
  private window: OpenWindow | null = null;
  /** The scrape that closed the previous batch, when it succeeded: the next batch opens on it. */
  private lastClose: DcgmScrape | null = null;
  /** The hosts of the run's first good page; a page naming others is another node's. */
  private runHosts: string | null = null;
  /** While the exporter does not answer: when to try again, and the note batches get until then. */
  private backoff: { retryAtMs: number; note: string } | null = null;
  private probe: Promise<DcgmScrape> | null = null;
  private failing = false;
  private readonly warned = new Set<string>();

  constructor(options: DcgmSamplerOptions) {
    this.options = {
      url: completeDcgmUrl(options.url),
      intervalMs: options.intervalMs ?? 200,
      timeoutMs: options.timeoutMs ?? 2000,
      select: options.select ?? {},
      baselineMs: options.baselineMs ?? 1000,
      ringCapacity: options.ringCapacity ?? 1 << 16,
      retryAfterMs: options.retryAfterMs ?? 30_000,
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
   * add up to the counter's rise over the whole run. While the exporter is backed off, nothing is awaited.
   */
  async openWindow(): Promise<void> {
    this.stopTimer();
    await this.inFlight;
    const previous = this.lastClose;
    this.lastClose = null;
    if (this.backoff !== null) {
      this.window = { opened: null, problem: this.backoff.note, maxPowerW: new Map(), spoilt: new Map(), mig: new Set() };
      this.retryInBackground();
      return;
    }
    const opened = previous !== null && Date.now() - previous.atMs <= this.holdMs ? previous : await this.scrape();
    this.window = { opened: opened.problem === null ? opened : null, problem: null, maxPowerW: new Map(), spoilt: new Map(), mig: new Set() };
    this.join(opened);
    // A spoilt window is not scraped again: its figures are null whatever the next pages say.
    if (this.window.problem !== null) return;
    this.timer = setInterval(() => {
      // A scrape slower than the interval is not joined by a second one.
      if (!this.inFlight && this.backoff === null) this.inFlight = this.scrape().then((scrape) => (this.join(scrape), scrape)).finally(() => (this.inFlight = null));
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
    const window = this.window;
    this.window = null;
    if (window === null) return { figures: NO_GPU_FIGURES, source: 'dcgm', note: 'the batch window was not opened' };
    // A window already spoilt, or an exporter backed off, is not scraped again: the batch would only wait.
    const closed = window.problem === null && this.backoff === null ? await this.scrape() : null;
    if (closed !== null) {
      if (closed.problem === null) this.lastClose = closed;
      this.joinTo(window, closed);
    }
    const opened = window.opened;
    if (window.problem !== null || opened === null || closed === null) {
      return { figures: NO_GPU_FIGURES, source: 'dcgm', note: window.problem ?? this.backoff?.note ?? 'the batch window was not opened' };
    }
    // Only the GPUs of this window: a GPU seen in an earlier batch must not hold its last reading into this one.
    const rings = new Map<number, SampleRing>();
    for (const reading of opened.readings) {
      const id = this.ids.get(reading.key);
      const ring = id === undefined ? undefined : this.rings.get(id);
      if (id !== undefined && ring) rings.set(id, ring);
    }
    let figures: GpuBatchFigures = gpuWindowFigures(rings, this.baselineMb ?? new Map(), t0, t1, this.holdMs);
    const notes: string[] = [];
    const counter = counterEnergy(opened, closed, window.maxPowerW);
    if (counter !== null && 'rejected' in counter) {
      notes.push(figures.energyJ === null ? `energy unknown: ${counter.rejected}` : `energy from the power readings: ${counter.rejected}`);
    } else if (counter !== null) figures = { ...figures, ...counter };
    for (const [family, reading] of window.spoilt) {
      for (const figure of FAMILY_FIGURES[family]) figures[figure] = null;
      notes.push(`left out past physical limits: ${reading}`);
    }
    const limited = figuresWithinLimits(figures, t1 - t0, rings.size);
    figures = limited.figures;
    notes.push(...limited.problems.map((problem) => `left out: ${problem}`));
    if (window.mig.size > 0) notes.push(`${[...window.mig].join(', ')}: a MIG instance; power and energy are the whole GPU's`);
    const none = Object.values(figures).every((value) => value === null);
    if (none && notes.length === 0) notes.push(`no DCGM reading of ${this.shownUrl} covered the batch`);
    return { figures, source: 'dcgm', note: notes.length > 0 ? notes.join('; ') : null };
  }

  async stop(): Promise<void> {
    this.stopTimer();
    this.lastClose = null;
    // A background retry of an exporter that does not answer is not waited for.
    this.stopping.abort();
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

  /** Starts one scrape nobody awaits once the backoff has passed; its success ends the backoff for the next batch. */
  private retryInBackground(): void {
    if (this.backoff === null || this.probe !== null || Date.now() < this.backoff.retryAtMs) return;
    this.probe = this.scrape().finally(() => (this.probe = null));
  }

  private join(scrape: DcgmScrape): void {
    if (this.window) this.joinTo(this.window, scrape);
  }

  /** Adds one scrape's verdict to a window: its problem, or a change of GPUs, or its power and limits. */
  private joinTo(window: OpenWindow, scrape: DcgmScrape): void {
    if (window.problem !== null) return;
    if (scrape.problem !== null) {
      window.problem = scrape.problem;
      return;
    }
    const opened = window.opened?.readings ?? scrape.readings;
    if (gpuSet(scrape.readings) !== gpuSet(opened)) {
      window.problem = `the selected GPUs changed during the batch (${gpuSet(opened)}, then ${gpuSet(scrape.readings)}): no figure of it covers one set of GPUs`;
      return;
    }
    for (const [family, what] of scrape.spoilt ?? []) if (!window.spoilt.has(family)) window.spoilt.set(family, what);
    for (const reading of scrape.readings) {
      if (reading.powerW !== null) window.maxPowerW.set(reading.key, Math.max(window.maxPowerW.get(reading.key) ?? 0, reading.powerW));
      if (reading.mig !== null) window.mig.add(`${reading.key} (${reading.mig})`);
    }
  }

  private async scrape(): Promise<DcgmScrape> {
    const result = await fetchPrometheusPage(this.options.url, (name) => FIELD_NAMES.has(name), this.options.timeoutMs, this.stopping.signal);
    const atMs = Date.now();
    let problem: string | null = null;
    let readings: DcgmGpuReading[] = [];
    const spoilt = new Map<Family, string>();
    if (!result.ok) {
      problem = `scrape failed: ${result.reason}`;
      if (!result.answered) {
        const retryAtMs = atMs + this.options.retryAfterMs;
        // The reason is cut so that the retry time survives `capNote`.
        problem = `${capNote(problem).slice(0, 120)}; exporter unreachable, retrying at ${new Date(retryAtMs).toISOString()}`;
        this.backoff = { retryAtMs, note: problem };
      }
    } else {
      this.backoff = null;
      readings = readDcgmPage(result.page, this.options.select);
      if (readings.length === 0) problem = `no GPU on ${this.shownUrl} matches ${describeSelection(this.options.select)}`;
      else problem = mixedHosts(readings, this.runHosts);
      if (problem === null) {
        this.runHosts ??= hostSet(readings);
        for (const reading of readings) {
          for (const [family, what] of withinLimits(reading)) spoilt.set(family, what);
          this.record(reading, atMs);
        }
      }
    }
    this.warn(problem);
    return { problem, readings: problem === null ? readings : [], atMs, spoilt };
  }

  /** Says once per kind of failure that scrapes fail, and once that they answer again. */
  private warn(problem: string | null): void {
    if (problem !== null && !this.failing) {
      // The retry time differs on every failure: the kind is what comes before it.
      const kind = problem.split('; exporter unreachable')[0] as string;
      if (!this.warned.has(kind)) this.options.onWarning?.(capNote(`DCGM ${problem}`));
      this.warned.add(kind);
    }
    if (problem === null && this.failing && !this.warned.has('recovered')) {
      this.options.onWarning?.(`DCGM scrapes of ${this.shownUrl} answer again`);
      this.warned.add('recovered');
    }
    this.failing = problem !== null;
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
