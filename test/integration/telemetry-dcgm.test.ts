// Remote GPU telemetry end to end: `logbench run` (the built CLI, a child process) against a loopback
// OpenAI-compatible server and a loopback DCGM exporter replaying recorded /metrics pages. The model
// server moves the exporter to the next page as each batch's requests arrive, so which page a scrape sees
// depends on where the run is, never on timing; utilisation and power are held constant per GPU in the
// series, so GPU time and integrated energy are exactly util × wall and power × wall however the scrapes fell.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DcgmSampler } from '../../harness/telemetry/dcgm.js';
import { readDcgmSeries, startDcgmExporter, type DcgmExporter } from '../../harness/telemetry/fixtures/dcgmExporter.js';
import { startMetricsServer } from '../../harness/telemetry/fixtures/metricsServer.js';
import { RunStore, withStoreQueries } from '../../harness/store/index.js';
import { runCli } from '../support/cli.js';
import { logAnalysisAnswer } from '../support/loopback-openai.js';
import { loopbackScope } from '../support/loopback-scope.js';
import { queryDb, writeOpenAISuite } from '../support/run-fixtures.js';

const { server, dirs } = loopbackScope();
let exporters: DcgmExporter[] = [];
afterEach(async () => {
  await Promise.all(exporters.map((e) => e.close()));
  exporters = [];
});

const ONE_GPU = readDcgmSeries('dcgm-exporter-1gpu-series.txt');
const H100_NODE = readDcgmSeries('dcgm-exporter-h100-pods-series.txt');
const OLLAMA = 'ollama-76f687f4cd-xcvvp';
const BATCH = 2;

interface BatchRow {
  batch_index: number;
  wall_ms: number;
  gpu_time_ms: number | null;
  gpu_util_avg: number | null;
  gpu_util_max: number | null;
  gpu_mem_peak_mb: number | null;
  gpu_mem_delta_mb: number | null;
  energy_j: number | null;
  power_avg_w: number | null;
  gpu_source: string | null;
  telemetry_note: string | null;
}

async function exporterOf(pages: readonly string[], answer?: Parameters<typeof startDcgmExporter>[1]): Promise<DcgmExporter> {
  const exporter = await startDcgmExporter(pages, answer);
  exporters.push(exporter);
  return exporter;
}

/**
 * Runs `cases` samples in batches of 2 through one model; batch b's requests move the exporter to page
 * b + 1 (page 0: the GPUs before the run). Each answer takes 250 ms, so the 50 ms scrapes land inside it.
 */
async function runWith(exporter: DcgmExporter, cases: number, edit: (suite: string) => string) {
  const loopback = await server({
    answer: (prompt) => {
      const index = Number(/# case-(\d+)/.exec(prompt)?.[1]);
      exporter.setStep(Math.floor(index / BATCH) + 1);
      return logAnalysisAnswer(prompt);
    },
    faults: [{ fault: { kind: 'slow', delayMs: 250 } }],
  });
  const { dir, suite, db } = writeOpenAISuite({ url: loopback.url, cases, models: ['served'], batchSize: BATCH, concurrency: 2, metrics: '[fuzzy]' });
  dirs.push(dir);
  writeFileSync(suite, edit(readFileSync(suite, 'utf8')));
  const result = await runCli(['run', suite, '--db', db]);
  expect(result.code, result.stderr).toBe(0);
  const batches = await queryDb<BatchRow>(
    db,
    `SELECT batch_index, wall_ms, gpu_time_ms, gpu_util_avg, gpu_util_max, gpu_mem_peak_mb, gpu_mem_delta_mb, energy_j, power_avg_w, gpu_source, telemetry_note
     FROM batches ORDER BY batch_index`,
  );
  const [run] = await queryDb<{ id: string; gpu_name: string | null }>(db, 'SELECT id, gpu_name FROM runs');
  return { batches, run: run as { id: string; gpu_name: string | null }, db, output: result.stdout + result.stderr };
}

/** The suite's telemetry block, appended at the top level. */
const withTelemetry = (block: string) => (suite: string) => `${suite}telemetry:\n  gpu_sample_ms: 50\n${block}`;

describe('logbench run with a DCGM exporter (gpu_metrics_url)', () => {
  it('stores per-batch GPU time, memory and energy equal to the hand computation from a replayed one-GPU series', async () => {
    const exporter = await exporterOf(ONE_GPU);
    const { batches, run, db } = await runWith(exporter, 6, withTelemetry(`  gpu_metrics_url: ${exporter.url}\n`));

    // Page energy counters (mJ): 4335301032, 4335391693, 4335512577, 4335573019 → +90.661, +120.884, +60.442 J.
    // FB used (MiB): 2 before the run (the baseline), then 15743, 16267, 16267. Utilisation 44 % throughout.
    const expected = [
      { energy: 90.661, peak: 15743 },
      { energy: 120.884, peak: 16267 },
      { energy: 60.442, peak: 16267 },
    ];
    expect(batches).toHaveLength(3);
    batches.forEach((batch, b) => {
      const want = expected[b] as { energy: number; peak: number };
      expect(batch.gpu_source).toBe('dcgm');
      expect(batch.telemetry_note).toBeNull();
      expect(batch.energy_j).toBeCloseTo(want.energy, 6);
      expect(batch.gpu_mem_peak_mb).toBe(want.peak);
      expect(batch.gpu_mem_delta_mb).toBe(want.peak - 2);
      expect(batch.gpu_time_ms).toBeCloseTo(0.44 * batch.wall_ms, 3);
      expect(batch.gpu_util_avg).toBeCloseTo(44, 9);
      expect(batch.gpu_util_max).toBe(44);
      expect(batch.power_avg_w).toBeGreaterThan(0);
    });
    // An exporter without `modelName` labels (this 2020 page) leaves the GPU unnamed.
    expect(run.gpu_name).toBeNull();

    // A run's energy is the sum of its batches'.
    const store = await RunStore.open(db, { readOnly: true });
    try {
      const [totals] = await withStoreQueries(store, (queries) => queries.runTotals([run.id]));
      expect(totals?.energyJ).toBeCloseTo(90.661 + 120.884 + 60.442, 6);
      expect(totals?.energyBatches).toBe(3);
      expect(totals?.telemetryNote).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('sums two GPUs picked by pod on a MIG node, the model’s exporter winning over the suite’s', async () => {
    const exporter = await exporterOf(H100_NODE);
    const dead = await startMetricsServer(() => ({ status: 500, body: 'wrong exporter' }));
    await dead.close();
    const { batches, run } = await runWith(exporter, 6, (suite) =>
      withTelemetry(`  gpu_metrics_url: ${dead.url}\n`)(
        suite.replace('    batch_size:', `    gpu_metrics_url: ${exporter.url}\n    gpus:\n      pod: [${OLLAMA}]\n    batch_size:`),
      ),
    );

    // GPUs 1 and 2 (the pod's; GPU 0 is in MIG mode and not the pod's). Energy: (82460 + 79780) mJ,
    // (107198 + 103714) mJ, (74207 + 71797) mJ. FB used: baselines 40123 + 39877, peaks 41211 + 40901, then
    // 41467 + 41157 twice. Utilisation 62 % and 57 %.
    const expected = [
      { energy: 162.24, peak: 41211 + 40901, delta: 41211 - 40123 + (40901 - 39877) },
      { energy: 210.912, peak: 41467 + 41157, delta: 41467 - 40123 + (41157 - 39877) },
      { energy: 146.004, peak: 41467 + 41157, delta: 41467 - 40123 + (41157 - 39877) },
    ];
    expect(batches).toHaveLength(3);
    batches.forEach((batch, b) => {
      const want = expected[b] as { energy: number; peak: number; delta: number };
      expect(batch.telemetry_note).toBeNull();
      expect(batch.energy_j).toBeCloseTo(want.energy, 6);
      expect(batch.gpu_mem_peak_mb).toBe(want.peak);
      expect(batch.gpu_mem_delta_mb).toBe(want.delta);
      expect(batch.gpu_time_ms).toBeCloseTo(((62 + 57) / 100) * batch.wall_ms, 3);
      expect(batch.gpu_util_avg).toBeCloseTo((62 + 57) / 2, 9);
      expect(batch.gpu_util_max).toBe(62);
    });
    expect(run.gpu_name).toBe('2 x NVIDIA H100 80GB HBM3');
  });

  it('measures one GPU when the suite selects it by index', async () => {
    const exporter = await exporterOf(H100_NODE);
    const { batches, run } = await runWith(exporter, 4, withTelemetry(`  gpu_metrics_url: ${exporter.url}\n  gpus:\n    gpu: [1]\n`));
    expect(batches.map((b) => b.energy_j)).toEqual([expect.closeTo(82.46, 6), expect.closeTo(107.198, 6)]);
    expect(batches.map((b) => b.gpu_mem_peak_mb)).toEqual([41211, 41467]);
    expect(batches.map((b) => b.gpu_mem_delta_mb)).toEqual([41211 - 40123, 41467 - 40123]);
    for (const batch of batches) expect(batch.gpu_time_ms).toBeCloseTo(0.62 * batch.wall_ms, 3);
    expect(run.gpu_name).toBe('NVIDIA H100 80GB HBM3');
  });

  it('leaves the batches of a scrape outage null with the reason, and measures the batches around it', async () => {
    // Page 2 (batch 1 running) is never served: the exporter answers 503 until batch 2 moves it on.
    const exporter = await exporterOf(ONE_GPU, (step) => (step === 2 ? { status: 503, body: 'Service Unavailable' } : undefined));
    const { batches, output } = await runWith(exporter, 8, withTelemetry(`  gpu_metrics_url: ${exporter.url}\n`));

    const reason = `scrape failed: ${exporter.url} answered 503 Service Unavailable`;
    expect(batches.map((b) => [b.gpu_source, b.telemetry_note])).toEqual([
      ['dcgm', null],
      ['dcgm', reason],
      ['dcgm', reason],
      ['dcgm', null],
    ]);
    for (const b of [batches[1], batches[2]]) {
      expect(b).toMatchObject({ gpu_time_ms: null, gpu_util_avg: null, gpu_util_max: null, gpu_mem_peak_mb: null, gpu_mem_delta_mb: null, energy_j: null, power_avg_w: null });
    }
    expect(batches[0]?.energy_j).toBeCloseTo(90.661, 6);
    // Batch 3: counters 4335573019 → 4335724124 mJ; FB 16267 → 16779 MiB.
    expect(batches[3]?.energy_j).toBeCloseTo(151.105, 6);
    expect(batches[3]?.gpu_mem_peak_mb).toBe(16779);
    expect(output).toContain(`DCGM ${reason}`);
    expect(output).toContain(`DCGM scrapes of ${exporter.url} answer again`);
  });

  it('integrates DCGM_FI_DEV_POWER_USAGE when the exporter does not export the energy counter', async () => {
    // As with a counters CSV (dcgm-exporter -f) that leaves DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION out.
    const withoutCounter = ONE_GPU.map((page) => page.replace(/^.*DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION.*\n/gm, ''));
    const exporter = await exporterOf(withoutCounter);
    const { batches } = await runWith(exporter, 4, withTelemetry(`  gpu_metrics_url: ${exporter.url}\n`));
    expect(batches).toHaveLength(2);
    for (const batch of batches) {
      // 302.206 W throughout: W × ms / 1000 = J.
      expect(batch.energy_j).toBeCloseTo((302.206 * batch.wall_ms) / 1000, 3);
      expect(batch.power_avg_w).toBeCloseTo(302.206, 6);
      expect(batch.telemetry_note).toBeNull();
    }
  });
});

describe('logbench run with an exporter that never answers', () => {
  it('waits for it once, then leaves every batch null with when it will be retried, sending it nothing more', async () => {
    // A black hole: the request is taken and never answered (a dropped route, a wedged exporter).
    const hole = await startMetricsServer(() => null);
    try {
      const exporter = { url: hole.url, setStep: () => undefined } as unknown as DcgmExporter;
      const { batches, output } = await runWith(exporter, 6, withTelemetry(`  gpu_metrics_url: ${hole.url}\n`));
      expect(batches).toHaveLength(3);
      for (const batch of batches) {
        expect(batch.energy_j).toBeNull();
        expect(batch.gpu_time_ms).toBeNull();
        expect(batch.telemetry_note).toMatch(/^scrape failed: .*; exporter unreachable, retrying at \d{4}-/);
      }
      // Only the scrape as the run started went out: no batch waited for another timeout (2 s each before).
      expect(hole.accepts).toHaveLength(1);
      expect(output.match(/DCGM scrape failed/g)).toHaveLength(1);
    } finally {
      await hole.close();
    }
  });
});

describe('DcgmSampler on failing exporters', () => {
  async function windowAgainst(url: string, timeoutMs = 2000) {
    const sampler = new DcgmSampler({ url, intervalMs: 50, timeoutMs });
    await sampler.openWindow();
    const t0 = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 120));
    const reading = await sampler.closeWindow(t0, Date.now());
    await sampler.stop();
    return reading;
  }

  it('gives the reason for a refused connection, a timeout, a page that is not the exposition format, and no matching GPU', async () => {
    const gone = await startMetricsServer(() => ({ status: 200, body: '' }));
    await gone.close();
    const refused = await windowAgainst(gone.url);
    expect(refused.note).toMatch(new RegExp(`^scrape failed: ${gone.url}: .*ECONNREFUSED`));
    expect(refused.figures.energyJ).toBeNull();

    const hanging = await startMetricsServer(() => null);
    try {
      expect((await windowAgainst(hanging.url, 200)).note).toMatch(/^scrape failed: .*(timeout|aborted)/i);
    } finally {
      await hanging.close();
    }

    const html = await startMetricsServer(() => ({ status: 200, body: 'DCGM_FI_DEV_GPU_UTIL 1\n<html>login</html>\n' }));
    try {
      expect((await windowAgainst(html.url)).note).toBe(`scrape failed: ${html.url}: line 2: expected a metric name`);
    } finally {
      await html.close();
    }

    const exporter = await exporterOf(H100_NODE);
    const sampler = new DcgmSampler({ url: exporter.url, select: { pod: ['not-scheduled'] } });
    expect(await sampler.start()).toEqual({ available: false, reason: `no GPU on ${exporter.url} matches the selection (pod: not-scheduled)` });
  });
});
