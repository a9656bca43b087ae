// Cost next to quality in `compare` and `gate` (issue #13): two runs of a loopback OpenAI server whose
// GPU is a loopback DCGM exporter replaying recorded /metrics pages (harness/telemetry/fixtures), the
// second one through a scrape outage. The built CLI, real DuckDB files.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { readDcgmSeries, startDcgmExporter, type DcgmExporter } from '../../harness/telemetry/fixtures/dcgmExporter.js';
import { runCli } from '../support/cli.js';
import { logAnalysisAnswer } from '../support/loopback-openai.js';
import { loopbackScope } from '../support/loopback-scope.js';
import { queryDb, writeOpenAISuite } from '../support/run-fixtures.js';

const { server, dirs } = loopbackScope();
let exporter: DcgmExporter | undefined;
afterEach(async () => {
  await exporter?.close();
  exporter = undefined;
});

const BATCH = 2;
/** The series' DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION on pages 0–3: 4335301032, 4335391693, 4335512577, 4335573019 mJ, so batches 0–2 use these joules. */
const RUN_ENERGY_J = 90.661 + 120.884 + 60.442;

interface CostJson {
  name: string;
  a: number | null;
  b: number | null;
  delta: number | null;
  ratio: number | null;
  note: string | null;
}

describe('cost in compare and gate', () => {
  it('sets each run’s summed GPU energy and times side by side, and says why a figure is unknown', async () => {
    // Step 2 of the series (batch 1 running) answers 503 while `outage` is set.
    let outage = false;
    const dcgm = await startDcgmExporter(readDcgmSeries('dcgm-exporter-1gpu-series.txt'), (step) => (outage && step === 2 ? { status: 503, body: 'exporter restarting' } : undefined));
    exporter = dcgm;
    const loopback = await server({
      answer: (prompt) => {
        dcgm.setStep(Math.floor(Number(/# case-(\d+)/.exec(prompt)?.[1]) / BATCH) + 1);
        return logAnalysisAnswer(prompt);
      },
      faults: [{ fault: { kind: 'slow', delayMs: 250 } }],
    });
    const { dir, suite, db } = writeOpenAISuite({ url: loopback.url, cases: 6, models: ['served', 'other'], batchSize: BATCH, concurrency: 2, metrics: '[fuzzy]' });
    dirs.push(dir);
    writeFileSync(suite, `${readFileSync(suite, 'utf8')}telemetry:\n  gpu_sample_ms: 50\n  gpu_metrics_url: ${dcgm.url}\n`);

    const ids: string[] = [];
    for (const model of ['served', 'other']) {
      dcgm.setStep(0); // the GPU before the run
      outage = model === 'other';
      const ran = await runCli(['run', suite, '--db', db, '--only', model, '--no-report']);
      expect(ran.code, ran.stderr).toBe(0);
      ids.push((/^ {2}\S+: run (\S+),/m.exec(ran.stdout) as RegExpExecArray)[1] as string);
    }
    const [served, other] = ids as [string, string];
    const batches = await queryDb<{ run_id: string; wall_ms: number; energy_j: number | null; telemetry_note: string | null }>(
      db,
      'SELECT run_id, wall_ms, energy_j, telemetry_note FROM batches ORDER BY run_id, batch_index',
    );
    const of = (run: string) => batches.filter((batch) => batch.run_id === run);
    expect(of(other).some((batch) => batch.energy_j === null && batch.telemetry_note?.startsWith('scrape failed'))).toBe(true);

    const compared = await runCli(['compare', served, other, '--db', db, '--json']);
    expect(compared.code, compared.stderr).toBe(0);
    const cost = new Map((JSON.parse(compared.stdout) as { cost: CostJson[] }).cost.map((figure) => [figure.name, figure]));
    // A (served) measured every batch: its energy is the sum of the series' counter deltas.
    const energy = cost.get('energy_j') as CostJson;
    expect(energy.a).toBeCloseTo(RUN_ENERGY_J, 6);
    expect(energy.b).toBeNull();
    const measured = of(other).filter((batch) => batch.energy_j !== null).length;
    expect(energy.note).toMatch(new RegExp(`^B: ${measured} of 3 batches measured; scrape failed: `));
    const wall = cost.get('wall_s') as CostJson;
    expect(wall.a).toBeCloseTo(of(served).reduce((sum, batch) => sum + batch.wall_ms, 0) / 1000, 9);
    expect(wall.ratio).toBeCloseTo((wall.a as number) / (wall.b as number), 12);

    // The gate shows the same figures below its verdict, and its verdict does not depend on them.
    const gated = await runCli(['gate', '--db', db, '--candidate', served, '--baseline', other], { env: { GITHUB_STEP_SUMMARY: '' } });
    expect(gated.code, gated.stderr).toBe(0);
    expect(gated.stdout).toMatch(/^energy_j\s+272\s+—\s+—\s+—\s+B: \d of 3 batches measured; scrape failed: /m);
    expect(gated.stdout).toMatch(/\ngate: pass \(\d+ metrics\)\n$/);
  });
});
