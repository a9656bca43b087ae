import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  figuresWithinLimits,
  gpuWindowFigures,
  memoryBaseline,
  NvidiaSmiSampler,
  parseNvidiaSmiLine,
  parseNvidiaSmiTimestamp,
  SampleRing,
  type GpuSample,
} from './gpu.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const ARRIVAL = 1_700_000_000_000;

function parseFixture(name: string): GpuSample[] {
  return fixture(name)
    .split('\n')
    .filter(Boolean)
    .map((line) => parseNvidiaSmiLine(line, ARRIVAL))
    .filter((s): s is GpuSample => s !== null);
}

describe('parseNvidiaSmiTimestamp', () => {
  it('reads the documented YYYY/MM/DD HH:MM:SS.msec as local time', () => {
    expect(parseNvidiaSmiTimestamp('2025/11/24 14:08:55.751')).toBe(new Date(2025, 10, 24, 14, 8, 55, 751).getTime());
    expect(parseNvidiaSmiTimestamp(' 2024/05/01 12:00:00 ')).toBe(new Date(2024, 4, 1, 12, 0, 0, 0).getTime());
    expect(parseNvidiaSmiTimestamp('2024/05/01 12:00:00.1')).toBe(new Date(2024, 4, 1, 12, 0, 0, 100).getTime());
  });

  it('refuses malformed and impossible dates', () => {
    expect(parseNvidiaSmiTimestamp('[N/A]')).toBeNull();
    expect(parseNvidiaSmiTimestamp('2024-05-01 12:00:00.123')).toBeNull();
    expect(parseNvidiaSmiTimestamp('2024/02/31 12:00:00.000')).toBeNull();
  });
});

describe('parseNvidiaSmiLine on recorded output', () => {
  it('reads a two-GPU trace line by line', () => {
    const samples = parseFixture('nvidia-smi-a100x2-load.csv');
    expect(samples).toHaveLength(20);
    expect(samples[0]).toEqual({
      timeMs: new Date(2026, 1, 19, 19, 24, 54, 412).getTime(),
      index: 0,
      name: 'NVIDIA A100-SXM4-40GB',
      utilPct: 11,
      memUsedMb: 598,
      memTotalMb: 40960,
      powerW: null,
    });
    expect(samples.map((s) => s.index).slice(0, 4)).toEqual([0, 1, 0, 1]);
  });

  it('turns [N/A] (unified-memory GB10) and [Not Supported] (old GeForce drivers) into null', () => {
    const gb10 = parseFixture('nvidia-smi-gb10-unified-memory.csv');
    expect(gb10.map((s) => s.utilPct)).toEqual([0, 2, 0, 0, 0]);
    expect(gb10.every((s) => s.memUsedMb === null && s.memTotalMb === null)).toBe(true);
    const gtx770 = parseFixture('nvidia-smi-geforce-not-supported.csv');
    expect(gtx770[0]).toMatchObject({ name: 'GeForce GTX 770', utilPct: null, memUsedMb: 311 });
  });

  it('skips lines that are not samples and keeps commas inside a name', () => {
    for (const line of fixture('nvidia-smi-driver-mismatch.txt').split('\n')) expect(parseNvidiaSmiLine(line, ARRIVAL)).toBeNull();
    expect(parseNvidiaSmiLine('No devices were found', ARRIVAL)).toBeNull();
    expect(parseNvidiaSmiLine('2024/05/01 12:00:00.123, x, GPU, 1, 2, 3, 4', ARRIVAL)).toBeNull();
    expect(parseNvidiaSmiLine('2024/05/01 12:00:00.123, 3, Some GPU, Rev 2, 40, 10, 20, 55.5', ARRIVAL)).toMatchObject({
      index: 3,
      name: 'Some GPU, Rev 2',
      utilPct: 40,
      powerW: 55.5,
    });
  });

  it('falls back to the arrival time when the timestamp is missing', () => {
    expect(parseNvidiaSmiLine('[N/A], 0, NVIDIA GB10, 5, [N/A], [N/A], [N/A]', ARRIVAL)?.timeMs).toBe(ARRIVAL);
  });

  it('reads power.draw as an H100 under driver 590.48 prints it, idle and under load', () => {
    const h100 = parseFixture('nvidia-smi-h100-power.csv');
    expect(h100[0]).toMatchObject({ name: 'NVIDIA H100 80GB HBM3', utilPct: 0, memUsedMb: 0, memTotalMb: 81559, powerW: 69.85 });
    expect(h100.at(-1)).toMatchObject({ utilPct: 100, memUsedMb: 19818, powerW: 631.95 });
  });
});

describe('SampleRing', () => {
  it('keeps the newest samples in time order once full and drops samples that go back in time', () => {
    const ring = new SampleRing(3);
    for (const t of [10, 20, 30, 40, 35]) ring.push(t, t, null);
    expect(ring.length).toBe(3);
    expect([0, 1, 2].map((i) => ring.timeAt(i))).toEqual([20, 30, 40]);
    expect(Number.isNaN(ring.memAt(0))).toBe(true);
    expect(ring.lowerBound(25)).toBe(1);
    expect(ring.lowerBound(50)).toBe(3);
  });
});

function ringOf(points: [timeMs: number, util: number | null, mem: number | null, powerW?: number | null][]): SampleRing {
  const ring = new SampleRing(64);
  for (const [t, u, m, p] of points) ring.push(t, u, m, p ?? null);
  return ring;
}

describe('gpuWindowFigures', () => {
  const rampGpu = ringOf([
    [0, 0, 1000],
    [500, 50, 3000],
    [1000, 100, 2000],
  ]);
  const flatGpu = ringOf([
    [0, 20, 500],
    [1000, 20, 500],
  ]);

  it('integrates utilisation with trapezoids, clipped to the window, summed over GPUs', () => {
    const whole = gpuWindowFigures(new Map([[0, rampGpu]]), new Map(), 0, 1000, 1000);
    expect(whole.gpuTimeMs).toBeCloseTo(500, 9);
    expect(whole.gpuUtilAvg).toBeCloseTo(50, 9);
    expect(whole.gpuUtilMax).toBe(100);

    // u(250) = 25 and u(750) = 75 on the ramp: 500 ms at a mean of 50 %.
    const clipped = gpuWindowFigures(new Map([[0, rampGpu]]), new Map(), 250, 750, 1000);
    expect(clipped.gpuTimeMs).toBeCloseTo(250, 9);
    expect(clipped.gpuUtilMax).toBeCloseTo(75, 9);

    const both = gpuWindowFigures(new Map([[0, rampGpu], [1, flatGpu]]), new Map(), 0, 1000, 1000);
    expect(both.gpuTimeMs).toBeCloseTo(500 + 200, 9);
    expect(both.gpuUtilAvg).toBeCloseTo((50 + 20) / 2, 9);
  });

  it('reports the memory peak and the peak above the pre-run baseline, clamped at zero per GPU', () => {
    const figures = gpuWindowFigures(new Map([[0, rampGpu], [1, flatGpu]]), new Map([[0, 1000], [1, 800]]), 0, 1000, 1000);
    expect(figures.gpuMemPeakMb).toBe(3000 + 500);
    expect(figures.gpuMemDeltaMb).toBe(2000 + 0);
  });

  it('holds the newest sample over the unreported tail, but not past the hold limit', () => {
    const held = gpuWindowFigures(new Map([[0, rampGpu]]), new Map(), 1000, 1400, 500);
    expect(held.gpuTimeMs).toBeCloseTo(400, 9);
    expect(held.gpuUtilAvg).toBe(100);
    const stale = gpuWindowFigures(new Map([[0, rampGpu]]), new Map(), 2000, 3000, 500);
    expect(stale.gpuTimeMs).toBeNull();
    expect(stale.gpuMemPeakMb).toBeNull();
  });

  it('leaves null what the GPU reports as [N/A], and everything null without samples', () => {
    const unified = ringOf([
      [0, 10, null],
      [1000, 30, null],
    ]);
    const figures = gpuWindowFigures(new Map([[0, unified]]), new Map(), 0, 1000, 1000);
    expect(figures.gpuTimeMs).toBeCloseTo(200, 9);
    expect(figures.gpuMemPeakMb).toBeNull();
    expect(figures.gpuMemDeltaMb).toBeNull();
    expect(gpuWindowFigures(new Map(), new Map(), 0, 1000, 1000)).toEqual({
      gpuUtilAvg: null,
      gpuUtilMax: null,
      gpuTimeMs: null,
      gpuMemPeakMb: null,
      gpuMemDeltaMb: null,
      energyJ: null,
      powerAvgW: null,
    });
  });

  it('integrates power into energy like utilisation (W × ms / 1000 = J), summed over GPUs', () => {
    // 100 W rising to 300 W over a second is 200 J; a flat 50 W GPU adds 50 J.
    const rising = ringOf([
      [0, 0, null, 100],
      [1000, 0, null, 300],
    ]);
    const flat = ringOf([
      [0, 0, null, 50],
      [1000, 0, null, 50],
    ]);
    const figures = gpuWindowFigures(new Map([[0, rising], [1, flat]]), new Map(), 0, 1000, 1000);
    expect(figures.energyJ).toBeCloseTo(200 + 50, 9);
    expect(figures.powerAvgW).toBeCloseTo(200 + 50, 9);
    // The last half second: P(500) = 200 W, so a mean of 250 W over 0.5 s.
    expect(gpuWindowFigures(new Map([[0, rising]]), new Map(), 500, 1000, 1000).energyJ).toBeCloseTo(125, 9);
    // [N/A] power (GPUs without power management) leaves energy unknown, not zero.
    expect(gpuWindowFigures(new Map([[0, rampGpu]]), new Map(), 0, 1000, 1000).energyJ).toBeNull();
  });

  it('computes the recorded H100 power draw: idle 69.85 W, then 631.95 W under load', () => {
    const ring = new SampleRing(64);
    for (const s of parseFixture('nvidia-smi-h100-power.csv')) ring.push(s.timeMs, s.utilPct, s.memUsedMb, s.powerW);
    const t = (ms: number): number => new Date(2026, 6, 14, 8, 12, 39, ms).getTime();
    // Window 39.096 → 39.496: the 200 ms ramp from 69.85 to 631.95 W, then 200 ms flat at 631.95 W.
    const figures = gpuWindowFigures(new Map([[0, ring]]), new Map(), t(96), t(496), 1000);
    expect(figures.energyJ).toBeCloseTo(((69.85 + 631.95) / 2) * 0.2 + 631.95 * 0.2, 9);
    expect(figures.powerAvgW).toBeCloseTo(((69.85 + 631.95) / 2 + 631.95) / 2, 9);
    expect(figures.gpuTimeMs).toBeCloseTo(((0 + 100) / 2) * 2 + 100 * 2, 9);
  });

  it('computes the recorded A100 trace: a window over the busy rounds', () => {
    const rings = new Map<number, SampleRing>();
    for (const s of parseFixture('nvidia-smi-a100x2-load.csv')) {
      const ring = rings.get(s.index) ?? new SampleRing(64);
      rings.set(s.index, ring);
      ring.push(s.timeMs, s.utilPct, s.memUsedMb);
    }
    const t = (ms: number): number => new Date(2026, 1, 19, 19, 24, 55, ms).getTime();
    // Window 55.421 → 55.825. GPU0 samples at .421 (97 %), .623 (100), .825 (99): two whole trapezoids.
    // GPU1 samples at .222 (35 %), .424 (95), .626 (100), .828 (100): 3 ms of the 35→95 ramp, one whole
    // trapezoid, then 199 of the 202 ms at a flat 100 %.
    const figures = gpuWindowFigures(rings, new Map([[0, 598], [1, 602]]), t(421), t(825), 1000);
    const gpu0 = ((97 + 100) / 2) * 202 + ((100 + 99) / 2) * 202;
    const gpu1AtT0 = 35 + (60 * 199) / 202;
    const gpu1 = ((gpu1AtT0 + 95) / 2) * 3 + ((95 + 100) / 2) * 202 + 100 * 199;
    expect(figures.gpuTimeMs).toBeCloseTo((gpu0 + gpu1) / 100, 6);
    expect(figures.gpuUtilAvg).toBeCloseTo((gpu0 / 404 + gpu1 / 404) / 2, 6);
    expect(figures.gpuUtilMax).toBe(100);
    // GPU1's 35663 MiB reading comes 3 ms after the window closed, so its peak is the 34639 in force.
    expect(figures.gpuMemPeakMb).toBe(35471 + 34639);
    expect(figures.gpuMemDeltaMb).toBe(35471 - 598 + (34639 - 602));
  });
});

describe('memoryBaseline', () => {
  it('averages the span before the run starts, else takes the reading in force, and skips [N/A] GPUs', () => {
    const loading = ringOf([
      [0, 0, 100],
      [1000, 0, 5000],
      [2000, 0, 6000],
      [3000, 90, 9000],
    ]);
    const idleLong = ringOf([[0, 0, 700]]);
    const unified = ringOf([[1500, 0, null]]);
    const rings = new Map([[0, loading], [1, idleLong], [2, unified]]);
    // Span [1000, 2500] holds the 5000 and 6000 readings; GPU1's only reading is older, so it stays in force.
    expect(memoryBaseline(rings, 2500, 1500)).toEqual(new Map([[0, 5500], [1, 700]]));
    expect(memoryBaseline(rings, 2000, 0)).toEqual(new Map([[0, 6000], [1, 700]]));
  });
});

describe('NvidiaSmiSampler without nvidia-smi', () => {
  it('reports why it is unavailable and yields null figures; nothing throws', async () => {
    const sampler = new NvidiaSmiSampler({ command: 'nvidia-smi-that-does-not-exist', env: { PATH: '/nonexistent' } });
    const availability = await sampler.start();
    expect(availability).toEqual({ available: false, reason: 'nvidia-smi-that-does-not-exist not found on PATH' });
    expect(sampler.available).toBe(false);
    expect(sampler.gpuName).toBeNull();
    expect(sampler.window(Date.now() - 1000, Date.now()).gpuTimeMs).toBeNull();
    await sampler.stop();
  });

  it('asks nvidia-smi for the documented columns, the interval and the selected GPUs', () => {
    expect(new NvidiaSmiSampler({ intervalMs: 100, gpuIds: [0, 2] }).args).toEqual([
      '--query-gpu=timestamp,index,name,utilization.gpu,memory.used,memory.total,power.draw',
      '--format=csv,noheader,nounits',
      '-lms',
      '100',
      '--id=0,2',
    ]);
  });
});

describe('figuresWithinLimits', () => {
  const figures = { gpuUtilAvg: 50, gpuUtilMax: 80, gpuTimeMs: 500, gpuMemPeakMb: 30000, gpuMemDeltaMb: 100, energyJ: 400, powerAvgW: 400 };

  it('keeps figures a GPU can give and nulls each family past a physical limit, saying why', () => {
    expect(figuresWithinLimits(figures, 1000, 1)).toEqual({ figures, problems: [] });
    const past = figuresWithinLimits({ ...figures, gpuUtilMax: 1e6, gpuMemPeakMb: 2 ** 21, energyJ: 2e4 }, 1000, 1);
    expect(past.figures).toEqual({ gpuUtilAvg: null, gpuUtilMax: null, gpuTimeMs: null, gpuMemPeakMb: null, gpuMemDeltaMb: null, energyJ: null, powerAvgW: null });
    expect(past.problems).toHaveLength(3);
    // GPU time past wall × GPUs is impossible even when each reading looked fine.
    expect(figuresWithinLimits({ ...figures, gpuTimeMs: 2500 }, 1000, 2).figures.gpuTimeMs).toBeNull();
    expect(figuresWithinLimits({ ...figures, gpuTimeMs: 2000 }, 1000, 2).figures.gpuTimeMs).toBe(2000);
  });
});
