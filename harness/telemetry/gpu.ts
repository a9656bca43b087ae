import { spawn, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { z } from 'zod';
import { NO_GPU_FIGURES, type GpuBatchFigures } from './batchTelemetry.js';

/**
 * The columns the sampler asks nvidia-smi for, in the order `parseNvidiaSmiLine` reads them. No energy
 * counter: `--help-query-gpu` of drivers 590–610 lists none (NVML's nvmlDeviceGetTotalEnergyConsumption
 * is not a query field), and one unknown field fails the whole query, so energy is ∫ `power.draw` dt.
 */
export const NVIDIA_SMI_QUERY = 'timestamp,index,name,utilization.gpu,memory.used,memory.total,power.draw';

/** One line of `nvidia-smi --query-gpu=<NVIDIA_SMI_QUERY> --format=csv,noheader,nounits`. */
export interface GpuSample {
  /** Epoch ms of nvidia-smi's own timestamp (local time, as it prints it). */
  timeMs: number;
  index: number;
  name: string;
  /** `utilization.gpu`, percent; null where nvidia-smi prints `[N/A]`, `[Not Supported]`, … */
  utilPct: number | null;
  memUsedMb: number | null;
  memTotalMb: number | null;
  /** `power.draw`, W (on Ampere and newer the average over the last second, says `--help-query-gpu`). */
  powerW: number | null;
}

// nvidia-smi documents the timestamp as "YYYY/MM/DD HH:MM:SS.msec" (see `nvidia-smi --help-query-gpu`).
const TIMESTAMP = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/;

/** Epoch ms of an nvidia-smi timestamp, read as local time like nvidia-smi writes it; null if malformed. */
export function parseNvidiaSmiTimestamp(text: string): number | null {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millis = Number((m[7] ?? '0').padEnd(3, '0'));
  const date = new Date(year, month - 1, day, hour, minute, second, millis);
  // Date rolls 2024/02/31 over to March: refuse it instead of storing a shifted time.
  return date.getDate() === day && date.getMonth() === month - 1 ? date.getTime() : null;
}

// Anything but a plain number (`[N/A]`, `[Not Supported]`, `[Unknown Error]`, `[GPU is lost]`) is missing.
const nullableNumber = z.string().transform((s) => {
  const t = s.trim();
  return /^\d+(\.\d+)?$/.test(t) ? Number(t) : null;
});
const nvidiaSmiRow = z.tuple([
  z.string(),
  z.string().trim().regex(/^\d+$/).transform(Number),
  z.string().trim().min(1),
  nullableNumber,
  nullableNumber,
  nullableNumber,
  nullableNumber,
]);

/**
 * Parses one output line; null for lines that are not samples (warnings, "No devices were found", …).
 * `arrivalMs` stands in for a timestamp nvidia-smi printed as `[N/A]`.
 */
export function parseNvidiaSmiLine(line: string, arrivalMs: number): GpuSample | null {
  const fields = line.split(',');
  if (fields.length < 7) return null;
  // A comma inside the product name would shift the columns; keep it in the name instead.
  const name = fields.slice(2, fields.length - 4).join(',');
  const row = nvidiaSmiRow.safeParse([fields[0], fields[1], name, ...fields.slice(-4)]);
  if (!row.success) return null;
  const [timestamp, index, gpuName, utilPct, memUsedMb, memTotalMb, powerW] = row.data;
  return {
    timeMs: parseNvidiaSmiTimestamp(timestamp) ?? arrivalMs,
    index,
    name: gpuName,
    utilPct,
    memUsedMb,
    memTotalMb,
    powerW,
  };
}

/** Fixed-capacity, time-ordered history of one GPU's samples in typed arrays (NaN = missing). */
export class SampleRing {
  private readonly times: Float64Array;
  private readonly utils: Float64Array;
  private readonly mems: Float64Array;
  private readonly powers: Float64Array;
  private first = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.times = new Float64Array(capacity);
    this.utils = new Float64Array(capacity);
    this.mems = new Float64Array(capacity);
    this.powers = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Appends a sample, overwriting the oldest when full; a sample not newer than the last is dropped. */
  push(timeMs: number, utilPct: number | null, memUsedMb: number | null, powerW: number | null = null): void {
    if (this.count > 0 && timeMs <= this.timeAt(this.count - 1)) return;
    const slot = (this.first + this.count) % this.capacity;
    this.times[slot] = timeMs;
    this.utils[slot] = utilPct ?? Number.NaN;
    this.mems[slot] = memUsedMb ?? Number.NaN;
    this.powers[slot] = powerW ?? Number.NaN;
    if (this.count < this.capacity) this.count++;
    else this.first = (this.first + 1) % this.capacity;
  }

  timeAt(i: number): number {
    return this.times[(this.first + i) % this.capacity] as number;
  }

  utilAt(i: number): number {
    return this.utils[(this.first + i) % this.capacity] as number;
  }

  memAt(i: number): number {
    return this.mems[(this.first + i) % this.capacity] as number;
  }

  powerAt(i: number): number {
    return this.powers[(this.first + i) % this.capacity] as number;
  }

  /** Index of the first sample at or after `timeMs` (`length` if none). */
  lowerBound(timeMs: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) < timeMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** A level over a window: its integral (value × ms), the ms it covered, and its largest value. */
interface LevelOverWindow {
  integral: number;
  coveredMs: number;
  max: number;
}

/**
 * Piecewise-linear reading of a level (utilisation, power) over [t0, t1]: trapezoids between consecutive
 * samples, clipped to the window; after the newest sample its value holds for at most `holdMs` (samples
 * arrive up to one interval late, so the batch's tail has not been reported yet). Null when no part of
 * the window is covered.
 */
function levelOverWindow(ring: SampleRing, valueAt: (i: number) => number, t0: number, t1: number, holdMs: number): LevelOverWindow | null {
  const n = ring.length;
  let integral = 0;
  let coveredMs = 0;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = Math.max(0, ring.lowerBound(t0) - 1); i < n; i++) {
    const ta = ring.timeAt(i);
    if (ta >= t1) break;
    const va = valueAt(i);
    if (Number.isNaN(va)) continue;
    if (i === n - 1) {
      const a = Math.max(ta, t0);
      if (t1 - ta <= holdMs && t1 > a) {
        integral += va * (t1 - a);
        coveredMs += t1 - a;
        max = Math.max(max, va);
      }
      continue;
    }
    const tb = ring.timeAt(i + 1);
    const vb = valueAt(i + 1);
    const a = Math.max(ta, t0);
    const b = Math.min(tb, t1);
    if (Number.isNaN(vb) || b <= a) continue;
    const slope = (vb - va) / (tb - ta);
    const atA = va + slope * (a - ta);
    const atB = va + slope * (b - ta);
    integral += ((atA + atB) / 2) * (b - a);
    coveredMs += b - a;
    max = Math.max(max, atA, atB);
  }
  return coveredMs > 0 ? { integral, coveredMs, max } : null;
}

/** Energy (J) and mean power (W) of one GPU's power readings over [t0, t1], integrated like utilisation. */
function energyOverWindow(ring: SampleRing, t0: number, t1: number, holdMs: number): { joules: number; watts: number } | null {
  const power = levelOverWindow(ring, (i) => ring.powerAt(i), t0, t1, holdMs);
  // W × ms / 1000 = J.
  return power ? { joules: power.integral / 1000, watts: power.integral / power.coveredMs } : null;
}

/**
 * Largest `memory.used` reading in force during [t0, t1]: the readings taken inside it and the one in force
 * when it opened (if no older than `holdMs`). Memory is a level, so it is read as a step, not interpolated.
 */
function memoryPeakOverWindow(ring: SampleRing, t0: number, t1: number, holdMs: number): number | null {
  let peak = Number.NEGATIVE_INFINITY;
  // NaN (an `[N/A]` reading) fails the comparison and is skipped.
  const consider = (mem: number): void => {
    if (mem > peak) peak = mem;
  };
  const first = ring.lowerBound(t0);
  if (first > 0 && t0 - ring.timeAt(first - 1) <= holdMs) consider(ring.memAt(first - 1));
  for (let i = first; i < ring.length && ring.timeAt(i) <= t1; i++) consider(ring.memAt(i));
  return Number.isFinite(peak) ? peak : null;
}

/**
 * GPU figures of one batch window [t0, t1] (epoch ms) over the selected GPUs' sample histories.
 *
 * - `gpuTimeMs` — **GPU time**: Σ over GPUs g of ∫_{t0}^{t1} u_g(t)/100 dt, in ms, where u_g is nvidia-smi's
 *   `utilization.gpu` (the percent of its last sample period in which at least one kernel ran), joined
 *   linearly between samples (trapezoidal rule) and clipped to the window. One GPU busy through a 2 s batch
 *   gives 2000 ms; two GPUs each half busy give the same. Only the part of the window the samples cover counts.
 * - `gpuUtilAvg` — time-weighted mean utilisation (percent) of that same curve, averaged over the GPUs.
 * - `gpuUtilMax` — the curve's largest value on any GPU (percent).
 * - `gpuMemPeakMb` — Σ over GPUs of the largest `memory.used` (MiB) in force during the window (the readings
 *   inside it and the one in force when it opened).
 * - `gpuMemDeltaMb` — Σ over GPUs of max(0, peak − baseline), the baseline being that GPU's mean
 *   `memory.used` just before the run's first batch (`memoryBaseline`). This follows LogSentinel's eval
 *   (kmkrofficial/log-sentinel, eval-and-visualization.py): it samples a baseline for 5 s right before its
 *   inference loop, model loaded, and reports "inference peak − baseline average" clamped at 0 (there for
 *   CPU and GPU utilisation; here for memory, the figure that matters for fitting a model).
 * - `energyJ` — Σ over GPUs of ∫ power dt over the window, in J: the power readings (nvidia-smi `power.draw`,
 *   DCGM_FI_DEV_POWER_USAGE) joined linearly like utilisation. `powerAvgW` — Σ over GPUs of their mean power
 *   over the part covered. (DCGM's energy counter, where present, replaces both: `harness/telemetry/dcgm.ts`.)
 * Every field is null where no sample covers the window (or the GPU reports `[N/A]`).
 */
export function gpuWindowFigures(
  rings: ReadonlyMap<number, SampleRing>,
  baselineMb: ReadonlyMap<number, number>,
  t0: number,
  t1: number,
  holdMs: number,
): GpuBatchFigures {
  let utilMeanSum = 0;
  let utilGpus = 0;
  let utilMax = Number.NEGATIVE_INFINITY;
  let busyIntegral = 0;
  let memPeak = 0;
  let memGpus = 0;
  let memDelta = 0;
  let deltaGpus = 0;
  let energyJ = 0;
  let powerW = 0;
  let energyGpus = 0;
  for (const [index, ring] of rings) {
    const util = levelOverWindow(ring, (i) => ring.utilAt(i), t0, t1, holdMs);
    if (util) {
      utilMeanSum += util.integral / util.coveredMs;
      utilGpus++;
      utilMax = Math.max(utilMax, util.max);
      busyIntegral += util.integral;
    }
    const mem = memoryPeakOverWindow(ring, t0, t1, holdMs);
    if (mem !== null) {
      memPeak += mem;
      memGpus++;
      const baseline = baselineMb.get(index);
      if (baseline !== undefined) {
        memDelta += Math.max(0, mem - baseline);
        deltaGpus++;
      }
    }
    const energy = energyOverWindow(ring, t0, t1, holdMs);
    if (energy) {
      energyJ += energy.joules;
      powerW += energy.watts;
      energyGpus++;
    }
  }
  return {
    gpuUtilAvg: utilGpus ? utilMeanSum / utilGpus : null,
    gpuUtilMax: utilGpus ? utilMax : null,
    gpuTimeMs: utilGpus ? busyIntegral / 100 : null,
    gpuMemPeakMb: memGpus ? memPeak : null,
    gpuMemDeltaMb: deltaGpus ? memDelta : null,
    energyJ: energyGpus ? energyJ : null,
    powerAvgW: energyGpus ? powerW : null,
  };
}

/**
 * What no reading of one GPU can exceed: utilisation is a percentage; no GPU has 1 TiB of memory (the largest,
 * B300, has 288 GB); none draws 10 kW (a B300 board is rated about 1.4 kW). A figure past them is a broken
 * exporter or driver, not a measurement.
 */
export const GPU_LIMITS = { utilPct: 100, memMb: 1024 * 1024, powerW: 10_000 } as const;

/**
 * `figures` of a window `windowMs` long over `gpus` GPUs, with each family of figures that breaks a physical
 * limit nulled (utilisation and GPU time: > 100 % or GPU time > wall × GPUs; memory: > 1 TiB a GPU; power and
 * energy: > 10 kW a GPU), and why.
 */
export function figuresWithinLimits(figures: GpuBatchFigures, windowMs: number, gpus: number): { figures: GpuBatchFigures; problems: string[] } {
  const out = { ...figures };
  const problems: string[] = [];
  const n = Math.max(1, gpus);
  const over = (value: number | null, limit: number) => value !== null && value > limit * (1 + 1e-9);
  if (over(out.gpuUtilMax, GPU_LIMITS.utilPct) || over(out.gpuUtilAvg, GPU_LIMITS.utilPct) || over(out.gpuTimeMs, windowMs * n)) {
    problems.push(`utilisation ${out.gpuUtilMax ?? out.gpuUtilAvg} % / GPU time ${out.gpuTimeMs} ms over ${windowMs.toFixed(0)} ms × ${n} GPU(s) is past what a GPU can do`);
    out.gpuUtilAvg = out.gpuUtilMax = out.gpuTimeMs = null;
  }
  if (over(out.gpuMemPeakMb, GPU_LIMITS.memMb * n)) {
    problems.push(`memory used ${out.gpuMemPeakMb} MiB is past ${GPU_LIMITS.memMb} MiB a GPU`);
    out.gpuMemPeakMb = out.gpuMemDeltaMb = null;
  }
  if (over(out.powerAvgW, GPU_LIMITS.powerW * n) || over(out.energyJ, (GPU_LIMITS.powerW * n * windowMs) / 1000)) {
    problems.push(`power ${out.powerAvgW} W / energy ${out.energyJ} J is past ${GPU_LIMITS.powerW} W a GPU`);
    out.energyJ = out.powerAvgW = null;
  }
  return { figures: out, problems };
}

/**
 * Per GPU, the mean `memory.used` of the samples in [atMs − spanMs, atMs], or the reading in force at
 * `atMs` when that span holds none; GPUs reporting `[N/A]` get no baseline.
 */
export function memoryBaseline(
  rings: ReadonlyMap<number, SampleRing>,
  atMs: number,
  spanMs: number,
): Map<number, number> {
  const baseline = new Map<number, number>();
  for (const [index, ring] of rings) {
    // Timestamps are whole ms, so this is the first sample after `atMs`.
    const end = ring.lowerBound(atMs + 1);
    let sum = 0;
    let n = 0;
    for (let i = ring.lowerBound(atMs - spanMs); i < end; i++) {
      const mem = ring.memAt(i);
      if (!Number.isNaN(mem)) {
        sum += mem;
        n++;
      }
    }
    const inForce = end > 0 ? ring.memAt(end - 1) : Number.NaN;
    if (n) baseline.set(index, sum / n);
    else if (!Number.isNaN(inForce)) baseline.set(index, inForce);
  }
  return baseline;
}

/** For `runs.gpu_name`: "NVIDIA H100 80GB HBM3", "2 x NVIDIA A100-SXM4-40GB", or names joined by " + ", in GPU order. */
export function describeGpus(names: ReadonlyMap<number, string>): string {
  const counts = new Map<string, number>();
  for (const index of [...names.keys()].sort((a, b) => a - b)) {
    const name = names.get(index) as string;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].map(([name, n]) => (n > 1 ? `${n} x ${name}` : name)).join(' + ');
}

/** What `start()` found: either a GPU to sample, or why there is none. */
export type GpuAvailability = { available: true; gpuName: string } | { available: false; reason: string };

export interface NvidiaSmiSamplerOptions {
  /** Sampling interval passed as `-lms`; NVML refreshes utilisation every 1/6 s to 1 s, so faster adds little. */
  intervalMs?: number;
  /** GPUs to sample (`--id=`: indexes, UUIDs or PCI bus ids); all GPUs when absent. */
  gpuIds?: readonly (number | string)[];
  /** Executable looked up on `env.PATH`. */
  command?: string;
  env?: NodeJS.ProcessEnv;
  /** The memory baseline averages the samples of this long before the run's first batch (LogSentinel: 5 s). */
  baselineMs?: number;
  /** Give up when nvidia-smi has printed no sample by then. */
  startTimeoutMs?: number;
  /** Samples kept per GPU; older ones are overwritten. */
  ringCapacity?: number;
}

const DEFAULTS = {
  intervalMs: 200,
  command: 'nvidia-smi',
  baselineMs: 1000,
  startTimeoutMs: 10_000,
  ringCapacity: 1 << 16,
};
const STOP_GRACE_MS = 2000;
const DIAGNOSTIC_CHARS = 300;

type SamplerState = 'idle' | 'starting' | 'sampling' | 'unavailable' | 'stopped';

/**
 * Streams `nvidia-smi --query-gpu=… -lms N` from one child process for the whole run and keeps a ring of
 * samples per GPU; each batch asks for its window's figures. Only arriving lines are parsed; nothing runs
 * per sample besides that. A missing nvidia-smi, a broken driver or no GPU leave it `available: false`
 * with every GPU figure null; none of that throws.
 */
export class NvidiaSmiSampler {
  private readonly options: typeof DEFAULTS & Pick<NvidiaSmiSamplerOptions, 'gpuIds' | 'env'>;
  private readonly rings = new Map<number, SampleRing>();
  private readonly names = new Map<number, string>();
  private baselineMb: Map<number, number> | null = null;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private state: SamplerState = 'idle';
  private pendingText = '';
  private message = '';
  private firstIndex: number | null = null;
  private firstIndexSeen = 0;
  private abandonStart: (() => void) | null = null;

  constructor(options: NvidiaSmiSamplerOptions = {}) {
    this.options = {
      intervalMs: options.intervalMs ?? DEFAULTS.intervalMs,
      command: options.command ?? DEFAULTS.command,
      baselineMs: options.baselineMs ?? DEFAULTS.baselineMs,
      startTimeoutMs: options.startTimeoutMs ?? DEFAULTS.startTimeoutMs,
      ringCapacity: options.ringCapacity ?? DEFAULTS.ringCapacity,
      gpuIds: options.gpuIds,
      env: options.env,
    };
  }

  get available(): boolean {
    return this.state === 'sampling';
  }

  /** For `runs.gpu_name`: see `describeGpus`. */
  get gpuName(): string | null {
    return this.available ? describeGpus(this.names) : null;
  }

  /** How many GPUs have reported. */
  get gpuCount(): number {
    return this.rings.size;
  }

  /** Process id of the nvidia-smi it started; null before `start()` or when spawning failed. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** The args nvidia-smi is started with. */
  get args(): string[] {
    const args = [
      `--query-gpu=${NVIDIA_SMI_QUERY}`,
      '--format=csv,noheader,nounits',
      '-lms',
      String(this.options.intervalMs),
    ];
    if (this.options.gpuIds?.length) args.push(`--id=${this.options.gpuIds.join(',')}`);
    return args;
  }

  /**
   * Starts nvidia-smi and resolves once every selected GPU has reported (so `gpuName` is complete), or
   * with the reason it cannot sample.
   */
  start(): Promise<GpuAvailability> {
    if (this.state !== 'idle') throw new Error(`NvidiaSmiSampler.start() called twice (state ${this.state})`);
    this.state = 'starting';
    const command = this.options.command;
    return new Promise<GpuAvailability>((resolve) => {
      const giveUp = setTimeout(() => {
        const seen = this.firstIndexSeen > 0 ? 'printed only one round of samples' : 'printed no sample';
        settle({ available: false, reason: `${command} ${seen} within ${this.options.startTimeoutMs} ms` });
      }, this.options.startTimeoutMs);
      const settle = (result: GpuAvailability): void => {
        if (this.state !== 'starting') return;
        clearTimeout(giveUp);
        this.abandonStart = null;
        if (result.available) {
          this.state = 'sampling';
        } else {
          this.state = 'unavailable';
          this.child?.kill('SIGKILL');
        }
        resolve(result);
      };
      this.abandonStart = () => settle({ available: false, reason: 'stopped before nvidia-smi reported' });
      const settleIfReady = (): void => {
        // A second line from the first GPU means the first round reported every selected GPU.
        if (this.firstIndexSeen >= 2) settle({ available: true, gpuName: describeGpus(this.names) });
      };

      let child: ChildProcess;
      try {
        child = spawn(command, this.args, { env: this.options.env, stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (error) {
        settle({ available: false, reason: `cannot start ${command}: ${(error as Error).message}` });
        return;
      }
      this.child = child;
      this.exited = new Promise((done) => child.once('close', () => done()));
      // Never let a sampler someone forgot to stop keep the harness alive.
      child.unref();
      for (const stream of [child.stdout, child.stderr]) if (stream instanceof Socket) stream.unref();

      child.once('error', (error: NodeJS.ErrnoException) => {
        settle({
          available: false,
          reason: error.code === 'ENOENT' ? `${command} not found on PATH` : `${command}: ${error.message}`,
        });
      });
      child.once('close', (code, signal) => {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        settle({ available: false, reason: `${command} ${how}${this.message ? `: ${this.message}` : ''}` });
      });
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        this.readChunk(chunk);
        if (this.state === 'starting') settleIfReady();
      });
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => this.noteMessage(chunk));
    });
  }

  /** Takes the memory baseline (`memoryBaseline`) as the run's first batch opens; no `gpuMemDeltaMb` before. */
  markRunStart(atMs: number = Date.now()): void {
    this.baselineMb = memoryBaseline(this.rings, atMs, this.options.baselineMs);
  }

  /** GPU figures over [t0, t1] (epoch ms); all null when not sampling. See `gpuWindowFigures`. */
  window(t0: number, t1: number): GpuBatchFigures {
    if (this.state !== 'sampling') return NO_GPU_FIGURES;
    // Hold the newest sample over the not-yet-reported tail, but never across a stalled nvidia-smi.
    const holdMs = Math.max(1000, 3 * this.options.intervalMs);
    return gpuWindowFigures(this.rings, this.baselineMb ?? new Map(), t0, t1, holdMs);
  }

  /** Stops nvidia-smi (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.abandonStart?.();
    this.state = 'stopped';
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killLater = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(killLater);
  }

  private readChunk(chunk: string): void {
    const text = this.pendingText + chunk;
    const lines = text.split('\n');
    this.pendingText = lines.pop() ?? '';
    const arrivalMs = Date.now();
    for (const raw of lines) {
      const line = raw.trimEnd();
      if (!line) continue;
      const sample = parseNvidiaSmiLine(line, arrivalMs);
      if (sample) this.record(sample);
      else this.noteMessage(line);
    }
  }

  private record(sample: GpuSample): void {
    let ring = this.rings.get(sample.index);
    if (!ring) {
      ring = new SampleRing(this.options.ringCapacity);
      this.rings.set(sample.index, ring);
      this.names.set(sample.index, sample.name);
    }
    ring.push(sample.timeMs, sample.utilPct, sample.memUsedMb, sample.powerW);
    this.firstIndex ??= sample.index;
    if (sample.index === this.firstIndex) this.firstIndexSeen++;
  }

  /** Keeps the start of what nvidia-smi said besides samples: the cause of a failure comes first. */
  private noteMessage(text: string): void {
    if (this.message.length >= DIAGNOSTIC_CHARS) return;
    const line = text.trim().split('\n').filter(Boolean).join(' ');
    if (line) this.message = `${this.message} ${line}`.trim().slice(0, DIAGNOSTIC_CHARS);
  }
}
