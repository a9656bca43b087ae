// DcgmSampler against hostile loopback exporters (real HTTP through metricsServer.ts): pages from two nodes
// behind one Service, a parse error quoting a 2 MB token, a stale energy counter and its refresh, readings past
// physical limits, a GPU dropping off the page, an exporter that never answers, and a MIG slice chosen by pod.
// Pages follow dcgm-exporter's layout (fixtures/README.md); their values are chosen so the figures are known.
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_NOTE_CHARS } from './batchTelemetry.js';
import { DcgmSampler, mixedHosts, readDcgmPage, type DcgmSamplerOptions } from './dcgm.js';
import { startMetricsServer, type MetricsResponse, type MetricsServer } from './fixtures/metricsServer.js';
import { parsePrometheusText } from './prometheus.js';
import { TelemetrySampler } from './sampler.js';

interface Gpu {
  gpu: number;
  util?: number | string;
  fb?: number;
  power?: number;
  /** The counter in mJ, as the exporter prints it. */
  energy?: number;
  labels?: string;
}

/** One exporter page: per field a HELP/TYPE pair, then a line per GPU with the exporter's labels. */
function dcgmPage(gpus: readonly Gpu[]): string {
  const fields: [string, keyof Gpu, string][] = [
    ['DCGM_FI_DEV_GPU_UTIL', 'util', 'gauge'],
    ['DCGM_FI_DEV_FB_USED', 'fb', 'gauge'],
    ['DCGM_FI_DEV_POWER_USAGE', 'power', 'gauge'],
    ['DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', 'energy', 'counter'],
  ];
  return fields
    .map(([name, key, type]) => {
      const lines = gpus
        .filter((g) => g[key] !== undefined)
        .map((g) => `${name}{gpu="${g.gpu}",UUID="GPU-${g.gpu}",device="nvidia${g.gpu}",modelName="NVIDIA H100 80GB HBM3"${g.labels ?? ''}} ${g[key]}`);
      return [`# HELP ${name} ${name}.`, `# TYPE ${name} ${type}`, ...lines].join('\n');
    })
    .join('\n')
    .concat('\n');
}

const servers: MetricsServer[] = [];
const samplers: DcgmSampler[] = [];
afterEach(async () => {
  await Promise.all(samplers.splice(0).map((s) => s.stop()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A loopback exporter answering request n with `respond(n)` (null: never answers). */
async function exporter(respond: (n: number) => MetricsResponse | null): Promise<MetricsServer> {
  const server = await startMetricsServer(respond);
  servers.push(server);
  return server;
}
const ok = (body: string): MetricsResponse => ({ status: 200, body });

function sampler(url: string, options: Partial<DcgmSamplerOptions> = {}): DcgmSampler {
  const s = new DcgmSampler({ url, intervalMs: 40, ...options });
  samplers.push(s);
  return s;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One batch of `ms`: `during` runs once the window is open (the GPUs moving on). */
async function batch(s: DcgmSampler, ms = 150, during?: () => void) {
  await s.openWindow();
  const t0 = Date.now();
  during?.();
  await sleep(ms);
  const t1 = Date.now();
  return { ...(await s.closeWindow(t0, t1)), wallMs: t1 - t0 };
}

describe('DcgmSampler keys GPUs by host', () => {
  it('nulls a batch whose scrapes a Service answered from two nodes, with why and what to do', async () => {
    // Two nodes' exporters behind one Service, answering in turn: both have a gpu "0", with different counters.
    const node = (n: number) =>
      n % 2 === 0
        ? dcgmPage([{ gpu: 0, util: 90, fb: 40000, power: 400, energy: 2_000_000_000 + n * 100_000, labels: ',Hostname="node-a"' }])
        : dcgmPage([{ gpu: 0, util: 0, fb: 0, power: 60, energy: 9_000_000_000 + n * 100_000, labels: ',Hostname="node-b"' }]);
    const server = await exporter((n) => ok(node(n)));
    const s = sampler(server.url);
    expect(await s.start()).toMatchObject({ available: true });
    for (let i = 0; i < 3; i++) {
      const reading = await batch(s);
      expect(reading.figures.energyJ).toBeNull();
      expect(reading.figures.gpuTimeMs).toBeNull();
      expect(reading.note).toBe('the exporter answered for different hosts (node-a first, now node-b): point gpu_metrics_url at one exporter pod or host, not a Service');
    }
  });

  it('refuses one page that holds the same gpu index for two hosts', async () => {
    const both = dcgmPage([
      { gpu: 0, util: 90, power: 400, energy: 1e9, labels: ',Hostname="node-a"' },
      { gpu: 0, util: 10, power: 60, energy: 9e9, labels: ',Hostname="node-b"' },
    ]);
    const readings = readDcgmPage(parsePrometheusText(both));
    expect(readings.map((r) => r.key)).toEqual(['node-a gpu 0', 'node-b gpu 0']);
    expect(mixedHosts(readings, null)).toMatch(/^the exporter answered for different hosts \(gpu 0 on node-a and node-b\)/);
    const server = await exporter(() => ok(both));
    expect(await sampler(server.url).start()).toEqual({ available: false, reason: mixedHosts(readings, null) });
  });
});

describe('DcgmSampler notes', () => {
  it('cuts a parse error quoting a 2 MB token to one short note, stored and warned', async () => {
    const big = `${'9'.repeat(10)}${'x'.repeat(2_000_000)}`;
    const server = await exporter((n) => ok(dcgmPage([{ gpu: 0, util: n === 0 ? 50 : big, fb: 100, power: 100, energy: 1000 + n }])));
    const warnings: string[] = [];
    const telemetry = new TelemetrySampler({ gpu: false, dcgm: { url: server.url, intervalMs: 40 }, onWarning: (m) => warnings.push(m) });
    await telemetry.start();
    try {
      const window = await telemetry.batchWindow(0);
      await sleep(100);
      const batch = await window.finish([]);
      expect(batch.telemetryNote).toMatch(/^scrape failed: .*line \d+: not a number: "9999999999x+"… \(2000010 characters\)/);
      expect(batch.telemetryNote?.length).toBeLessThanOrEqual(MAX_NOTE_CHARS);
      expect(batch.energyJ).toBeNull();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.length).toBeLessThanOrEqual(MAX_NOTE_CHARS);
    } finally {
      await telemetry.stop();
    }
  });
});

describe('DcgmSampler energy', () => {
  it('integrates the power readings when the counter stood still at 400 W (a page older than the batch), and says so', async () => {
    const server = await exporter(() => ok(dcgmPage([{ gpu: 0, util: 90, fb: 30000, power: 400, energy: 5_000_000_000 }])));
    const s = sampler(server.url);
    await s.start();
    const reading = await batch(s);
    expect(reading.figures.energyJ).toBeCloseTo((400 * reading.wallMs) / 1000, 6);
    expect(reading.figures.powerAvgW).toBeCloseTo(400, 9);
    expect(reading.note).toMatch(/^energy from the power readings: the energy counter of gpu 0 did not move while its power read 400 W/);
  });

  it('does not store a refreshed counter’s 12 kJ as one batch’s energy', async () => {
    let refreshed = false;
    const server = await exporter(() => ok(dcgmPage([{ gpu: 0, util: 90, fb: 30000, power: 400, energy: 5_000_000_000 + (refreshed ? 12_000_000 : 0) }])));
    const s = sampler(server.url);
    await s.start();
    const reading = await batch(s, 150, () => (refreshed = true));
    expect(reading.figures.energyJ).toBeCloseTo((400 * reading.wallMs) / 1000, 6);
    expect(reading.note).toMatch(/^energy from the power readings: the energy counter of gpu 0 rose 12000\.0 J in .* while its power read at most 400 W$/);
  });
});

describe('DcgmSampler physical limits', () => {
  it('nulls utilisation past 100 %, memory past 1 TiB and power past 10 kW, with the reading', async () => {
    let step = 0;
    const server = await exporter(() => ok(dcgmPage([{ gpu: 0, util: step ? 1e6 : 0, fb: step ? 1e13 : 10, power: step ? 1e12 : 100, energy: 1 + step * 1e13 }])));
    const s = sampler(server.url);
    await s.start();
    const reading = await batch(s, 150, () => (step = 1));
    expect(reading.figures).toEqual({ gpuUtilAvg: null, gpuUtilMax: null, gpuTimeMs: null, gpuMemPeakMb: null, gpuMemDeltaMb: null, energyJ: null, powerAvgW: null });
    expect(reading.note).toContain('left out past physical limits: gpu 0 reported utilisation 1000000 %');
    expect(reading.note).toContain('gpu 0 reported 10000000000000 MiB used');
    expect(reading.note?.length).toBeLessThanOrEqual(MAX_NOTE_CHARS * 2);
  });
});

describe('DcgmSampler GPU set', () => {
  it('nulls a batch during which a selected GPU dropped off the page, and measures the next over the GPU left', async () => {
    let lost = false;
    const gpus = () => [{ gpu: 0, util: 90, fb: 1000, power: 400, energy: 1e9 }, ...(lost ? [] : [{ gpu: 1, util: 90, fb: 1000, power: 400, energy: 1e9 }])];
    const server = await exporter(() => ok(dcgmPage(gpus())));
    const s = sampler(server.url);
    await s.start();
    const dropped = await batch(s, 150, () => (lost = true));
    expect(dropped.figures.gpuTimeMs).toBeNull();
    expect(dropped.figures.energyJ).toBeNull();
    expect(dropped.note).toBe('the selected GPUs changed during the batch (gpu 0, gpu 1, then gpu 0): no figure of it covers one set of GPUs');
    // GPU 1's last reading is not held into the next batch: its GPU time is GPU 0's alone.
    const next = await batch(s);
    expect(next.figures.gpuTimeMs).toBeCloseTo(0.9 * next.wallMs, 6);
    expect(next.figures.gpuMemPeakMb).toBe(1000);
  });
});

describe('DcgmSampler backoff', () => {
  it('waits for an exporter that does not answer once, then skips it until the retry, which runs unawaited', async () => {
    let answering = false;
    const server = await exporter((n) => (answering ? ok(dcgmPage([{ gpu: 0, util: 50, fb: 100, power: 100, energy: 1e6 + n * 10 }])) : null));
    const s = sampler(server.url, { timeoutMs: 150, retryAfterMs: 600 });
    const start = await s.start();
    expect(start).toMatchObject({ available: false, reason: expect.stringMatching(/^scrape failed: .*(timeout|aborted).*; exporter unreachable, retrying at \d{4}-\d\d-\d\dT/i) });
    expect(server.accepts).toHaveLength(1);
    // Batches opening before the retry time send the exporter nothing and say when it will be tried again.
    for (let i = 0; i < 3; i++) {
      const skipped = await batch(s, 60);
      expect(skipped.figures.energyJ).toBeNull();
      expect(skipped.note).toMatch(/exporter unreachable, retrying at /);
    }
    expect(server.accepts).toHaveLength(1);
    answering = true;
    await sleep(600);
    // Past the retry time a batch starts one scrape in the background and does not wait for it…
    const probing = await batch(s, 60);
    expect(probing.figures.energyJ).toBeNull();
    expect(server.accepts).toHaveLength(2);
    // …which answered, so the next batch is measured again.
    const measured = await batch(s);
    expect(measured.note).toBeNull();
    expect(measured.figures.gpuTimeMs).toBeCloseTo(0.5 * measured.wallMs, 6);
  });

  it('keeps scraping each batch after an exporter that answered with an error (a fast failure costs no wait)', async () => {
    const server = await exporter((n) => (n === 1 ? { status: 503, body: 'Service Unavailable' } : ok(dcgmPage([{ gpu: 0, util: 50, fb: 100, power: 100, energy: 1e6 + n }]))));
    const s = sampler(server.url);
    await s.start();
    expect((await batch(s)).note).toBe(`scrape failed: ${server.url} answered 503 Service Unavailable`);
    expect((await batch(s)).note).toBeNull();
  });
});

describe('DcgmSampler with MIG', () => {
  it('says that a MIG slice picked by pod is charged the whole GPU’s power and energy', async () => {
    let step = 0;
    const page = () =>
      dcgmPage([
        { gpu: 0, fb: 5000, power: 500, energy: 1e9 + step * 50_000, labels: ',GPU_I_PROFILE="1g.10gb",GPU_I_ID="1",pod="vllm-a"' },
        { gpu: 0, fb: 9000, power: 500, energy: 1e9 + step * 50_000, labels: ',GPU_I_PROFILE="3g.40gb",GPU_I_ID="2",pod="other-tenant"' },
      ]);
    const server = await exporter(() => ok(page()));
    const s = sampler(server.url, { select: { pod: ['vllm-a'] } });
    await s.start();
    const reading = await batch(s, 150, () => (step = 1));
    expect(reading.figures.energyJ).toBeCloseTo(50, 9);
    expect(reading.figures.gpuMemPeakMb).toBe(5000);
    expect(reading.note).toBe("gpu 0 (1g.10gb): a MIG instance; power and energy are the whole GPU's");
  });
});
