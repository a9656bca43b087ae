import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { counterEnergy, readDcgmPage, type DcgmScrape } from './dcgm.js';
import { completeDcgmUrl, GpuMetricsUrl, GpuSelection } from './dcgmSpec.js';
import { readDcgmSeries } from './fixtures/dcgmExporter.js';
import { parsePrometheusText } from './prometheus.js';

const onePage = (name: string, step: number) => parsePrometheusText(readDcgmSeries(name)[step] as string);
const OLLAMA = 'ollama-76f687f4cd-xcvvp';

describe('readDcgmPage', () => {
  it('reads one GPU of a recorded page: utilisation, framebuffer used, power, and the mJ energy counter as J', () => {
    expect(readDcgmPage(onePage('dcgm-exporter-1gpu-series.txt', 1))).toEqual([
      { key: 'gpu 0', host: null, gpu: '0', name: null, mig: null, utilPct: 44, fbUsedMb: 15743, powerW: 302.206, energyJ: 4335391.693 },
    ]);
  });

  it('counts a MIG GPU once, and keeps the GPUs of the labels asked for (gpu, UUID, pod; all by default)', () => {
    const page = onePage('dcgm-exporter-h100-pods-series.txt', 0);
    const all = readDcgmPage(page);
    expect(all.map((r) => r.gpu)).toEqual(['0', '1', '2']);
    // GPU 0's two MIG instances repeat its power and energy; MIG GPUs report no utilisation or framebuffer here.
    // GPUs are keyed by host and index: one page of one node names each GPU once.
    expect(all[0]).toEqual({
      key: '***h100-007 gpu 0',
      host: '***h100-007',
      gpu: '0',
      name: 'NVIDIA H100 80GB HBM3',
      mig: '3g.40gb',
      utilPct: null,
      fbUsedMb: null,
      powerW: 120.5,
      energyJ: 9123456.789,
    });
    expect(readDcgmPage(page, { pod: [OLLAMA] }).map((r) => [r.gpu, r.utilPct, r.fbUsedMb])).toEqual([
      ['1', 62, 40123],
      ['2', 57, 39877],
    ]);
    expect(readDcgmPage(page, { gpu: [2] }).map((r) => r.gpu)).toEqual(['2']);
    expect(readDcgmPage(page, { gpu: ['1'], pod: [OLLAMA] }).map((r) => r.gpu)).toEqual(['1']);
    expect(readDcgmPage(page, { gpu: [0], pod: [OLLAMA] })).toEqual([]);
    expect(readDcgmPage(page, { pod: ['someone-else'] })).toEqual([]);
    const single = onePage('dcgm-exporter-1gpu-series.txt', 0);
    expect(readDcgmPage(single, { uuid: ['GPU-6bf47ca9-ad3e-15db-beed-1079a7d74116'] })).toHaveLength(1);
    expect(readDcgmPage(single, { uuid: ['GPU-604ac76c-d9cf-fef3-62e9-d92044ab6e52'] })).toEqual([]);
  });

  it('reads the README example layout (a space after each comma) and treats DCGM blank sentinels as missing', () => {
    const readme = readFileSync(new URL('./fixtures/dcgm-exporter-readme.txt', import.meta.url), 'utf8');
    const labels = '{gpu="0", UUID="GPU-604ac76c-d9cf-fef3-62e9-d92044ab6e52"}';
    // The README prints DCGM_FT_INT64_NOT_SUPPORTED for memory temperature; older exporters printed it for any field.
    const page = parsePrometheusText(
      `${readme}DCGM_FI_DEV_FB_USED${labels} 9223372036854775794\nDCGM_FI_DEV_GPU_UTIL${labels} 2147483634\n` +
        `DCGM_FI_DEV_POWER_USAGE${labels} 140737488355330.000000\nDCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION${labels} 4335301032\n`,
    );
    expect(readDcgmPage(page)).toEqual([{ key: 'gpu 0', host: null, gpu: '0', name: null, mig: null, utilPct: null, fbUsedMb: null, powerW: null, energyJ: 4335301.032 }]);
    expect(readDcgmPage(parsePrometheusText(readme))).toEqual([]);
  });
});

describe('counterEnergy', () => {
  const scrape = (atMs: number, ...energies: (number | null)[]): DcgmScrape => ({
    problem: null,
    atMs,
    readings: energies.map((energyJ, i) => ({ key: `gpu ${i}`, host: null, gpu: String(i), name: null, mig: null, utilPct: null, fbUsedMb: null, powerW: null, energyJ })),
  });

  it('sums the counters’ rise between the opening and the closing scrape, with the mean power over that span', () => {
    expect(counterEnergy(scrape(1000, 10, 20), scrape(1500, 40, 70))).toEqual({ energyJ: 80, powerAvgW: 160 });
  });

  it('gives up (power is integrated instead) when a GPU lacks the counter or its counter went back', () => {
    expect(counterEnergy(scrape(1000, 10, null), scrape(1500, 40, 70))).toBeNull();
    expect(counterEnergy(scrape(1000, 10, 20), scrape(1500, 5, 70))).toBeNull();
    expect(counterEnergy(scrape(1000), scrape(1500))).toBeNull();
  });

  it('rejects a counter that cannot be the window’s energy next to the GPUs’ own power readings', () => {
    const power = new Map([['gpu 0', 400]]);
    // A page older than the batch (the exporter collects every 30 s by default): the counter stood still at 400 W.
    expect(counterEnergy(scrape(1000, 5_000_000), scrape(1500, 5_000_000), power)).toEqual({
      rejected: expect.stringMatching(/^the energy counter of gpu 0 did not move while its power read 400 W/),
    });
    // The refresh: 12 kJ (30 s at 400 W) in half a second is 24 kW, 60 × the power read.
    expect(counterEnergy(scrape(1000, 5_000_000), scrape(1500, 5_012_000), power)).toEqual({
      rejected: 'the energy counter of gpu 0 rose 12000.0 J in 0.50 s (24000 W) while its power read at most 400 W',
    });
    // Up to twice the highest power read is kept (the gauge is an average, the counter exact).
    expect(counterEnergy(scrape(1000, 5_000_000), scrape(1500, 5_000_400), power)).toEqual({ energyJ: 400, powerAvgW: 800 });
    // Without power readings a counter is still bounded by 10 kW a GPU.
    expect(counterEnergy(scrape(1000, 1), scrape(2000, 1e10))).toEqual({ rejected: expect.stringContaining('past 10000 W') });
    // An idle GPU drawing nothing may keep its counter still.
    expect(counterEnergy(scrape(1000, 7), scrape(1500, 7), new Map([['gpu 0', 0]]))).toEqual({ energyJ: 0, powerAvgW: 0 });
  });
});

describe('suite fields', () => {
  it('completes a bare host to the exporter default :9400/metrics and keeps explicit ports and paths', () => {
    expect(completeDcgmUrl('http://gpu-node')).toBe('http://gpu-node:9400/metrics');
    expect(completeDcgmUrl('http://gpu-node:8080')).toBe('http://gpu-node:8080/metrics');
    expect(completeDcgmUrl('http://gpu-node:80')).toBe('http://gpu-node/metrics');
    expect(completeDcgmUrl('https://dcgm.example/gpu/metrics?token=x')).toBe('https://dcgm.example/gpu/metrics?token=x');
    expect(GpuMetricsUrl.safeParse('gpu-node:9400').success).toBe(false);
  });

  it('takes gpu, uuid and pod lists, and nothing else', () => {
    expect(GpuSelection.parse({ gpu: [0, '1'], pod: [OLLAMA] })).toEqual({ gpu: [0, '1'], pod: [OLLAMA] });
    expect(GpuSelection.safeParse({ pods: [OLLAMA] }).success).toBe(false);
    expect(GpuSelection.safeParse({ gpu: [] }).success).toBe(false);
  });
});
