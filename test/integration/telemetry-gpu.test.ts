// NvidiaSmiSampler against a fake `nvidia-smi` on PATH that replays recorded output at the -lms interval.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NvidiaSmiSampler, type NvidiaSmiSamplerOptions } from '../../harness/telemetry/gpu.js';
import { installFakeNvidiaSmi, type FakeNvidiaSmi } from '../../harness/telemetry/fixtures/fakeNvidiaSmi.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const FAST: NvidiaSmiSamplerOptions = { intervalMs: 50, startTimeoutMs: 5000 };

let fake: FakeNvidiaSmi | undefined;
let sampler: NvidiaSmiSampler | undefined;
afterEach(async () => {
  await sampler?.stop();
  await fake?.remove();
  sampler = undefined;
  fake = undefined;
});

async function startOn(fixture: string, options: NvidiaSmiSamplerOptions = {}, exitCode?: number) {
  fake = await installFakeNvidiaSmi(fixture, exitCode);
  sampler = new NvidiaSmiSampler({ ...FAST, ...options, env: fake.env });
  return { sampler, availability: await sampler.start() };
}

/** Figures over a window that spans several replayed rounds, the run starting as it opens. */
async function measureWindow(s: NvidiaSmiSampler, ms = 400) {
  const t0 = Date.now();
  s.markRunStart(t0);
  await sleep(ms);
  const t1 = Date.now();
  return { figures: s.window(t0, t1), windowMs: t1 - t0 };
}

describe('NvidiaSmiSampler streaming from nvidia-smi', () => {
  it('names two different GPUs and computes their window figures from the streamed lines', async () => {
    const { sampler: s, availability } = await startOn('nvidia-smi-geforce-mixed.csv');
    expect(availability).toEqual({ available: true, gpuName: 'GeForce GTX 1080 Ti + GeForce GTX 1060 6GB' });
    expect(s.gpuName).toBe('GeForce GTX 1080 Ti + GeForce GTX 1060 6GB');

    expect(s.window(Date.now() - 100, Date.now()).gpuMemDeltaMb).toBeNull();
    const { figures, windowMs } = await measureWindow(s);
    // GPU0 alternates 36 % and 37 %, GPU1 stays at 0 %; memory is flat at 2856 and 4 MiB.
    expect(figures.gpuUtilMax).toBeGreaterThanOrEqual(36);
    expect(figures.gpuUtilMax).toBeLessThanOrEqual(37);
    expect(figures.gpuUtilAvg).toBeGreaterThanOrEqual(18);
    expect(figures.gpuUtilAvg).toBeLessThanOrEqual(18.5);
    expect(figures.gpuTimeMs).toBeGreaterThan(0);
    expect(figures.gpuTimeMs).toBeLessThanOrEqual(0.37 * windowMs);
    expect(figures.gpuMemPeakMb).toBe(2856 + 4);
    expect(figures.gpuMemDeltaMb).toBe(0);
  });

  it('passes --id through, so only the selected GPU is sampled', async () => {
    const { sampler: s, availability } = await startOn('nvidia-smi-a100x2-load.csv', { gpuIds: [1] });
    expect(availability).toEqual({ available: true, gpuName: 'NVIDIA A100-SXM4-40GB' });
    const { figures } = await measureWindow(s);
    // GPU1's readings only: never GPU0's 35471 MiB, never the two summed.
    expect(figures.gpuMemPeakMb).toBeGreaterThanOrEqual(602);
    expect(figures.gpuMemPeakMb).toBeLessThanOrEqual(35663);
  });

  it('names identical GPUs with a count', async () => {
    const { availability } = await startOn('nvidia-smi-a100x2-load.csv');
    expect(availability).toEqual({ available: true, gpuName: '2 x NVIDIA A100-SXM4-40GB' });
  });

  it('samples utilisation of a unified-memory GB10 and leaves its memory figures null', async () => {
    const { sampler: s, availability } = await startOn('nvidia-smi-gb10-unified-memory.csv');
    expect(availability).toEqual({ available: true, gpuName: 'NVIDIA GB10' });
    const { figures } = await measureWindow(s);
    expect(figures.gpuUtilAvg).not.toBeNull();
    expect(figures.gpuUtilMax).toBeLessThanOrEqual(2);
    expect(figures.gpuMemPeakMb).toBeNull();
    expect(figures.gpuMemDeltaMb).toBeNull();
  });

  it('stops nvidia-smi when asked', async () => {
    const { sampler: s } = await startOn('nvidia-smi-geforce-mixed.csv');
    const pid = s.pid as number;
    expect(() => process.kill(pid, 0)).not.toThrow();
    await s.stop();
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(s.available).toBe(false);
  });

  it('settles a pending start when stopped before every GPU has reported', async () => {
    fake = await installFakeNvidiaSmi('nvidia-smi-a100x2-load.csv');
    // The second round, which would complete the start, is 60 s away.
    sampler = new NvidiaSmiSampler({ intervalMs: 60_000, env: fake.env });
    const starting = sampler.start();
    await sleep(300);
    await sampler.stop();
    expect(await starting).toEqual({ available: false, reason: 'stopped before nvidia-smi reported' });
  });
});

describe('NvidiaSmiSampler without a usable GPU', () => {
  it.each([
    ['nvidia-smi-no-driver.txt', 9, "exited with code 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."],
    ['nvidia-smi-driver-mismatch.txt', 18, 'exited with code 18: Failed to initialize NVML: Driver/library version mismatch'],
  ])('reports %s as unavailable, with null figures', async (fixture, exitCode, reason) => {
    const { sampler: s, availability } = await startOn(fixture, {}, exitCode);
    expect(availability.available).toBe(false);
    expect(availability.available === false && availability.reason).toContain(reason);
    expect(s.gpuName).toBeNull();
    expect(s.window(Date.now() - 1000, Date.now())).toEqual({
      gpuUtilAvg: null,
      gpuUtilMax: null,
      gpuMemPeakMb: null,
      gpuMemDeltaMb: null,
      gpuTimeMs: null,
      energyJ: null,
      powerAvgW: null,
    });
  });

  it('reports a PATH without nvidia-smi (ENOENT) as unavailable', async () => {
    const emptyDir = await mkdtemp(join(tmpdir(), 'logbench-no-nvidia-smi-'));
    try {
      sampler = new NvidiaSmiSampler({ ...FAST, env: { PATH: emptyDir } });
      expect(await sampler.start()).toEqual({ available: false, reason: 'nvidia-smi not found on PATH' });
    } finally {
      await rm(emptyDir, { recursive: true, force: true });
    }
  });
});
