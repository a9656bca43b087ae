import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startLoopbackOpenAI } from '../support/loopback-openai.js';
import { writeOpenAISuite } from '../support/run-fixtures.js';

interface NoiseJson {
  suite: string;
  model: string;
  mode: 'rerun' | 'resample';
  repeats: number;
  metrics: { name: string; values: number[]; mean: number; sd: number; min: number; max: number; maxAbsDelta: number }[];
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function noise(args: string[]): Promise<NoiseJson> {
  const result = await runCli(['noise', ...args, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as NoiseJson;
}

describe('logbench noise', () => {
  it('re-runs a deterministic runner with zero spread', async () => {
    const report = await noise(['--suite', 'suites/default.yaml', '--model', 'rules', '--repeats', '2']);
    expect([report.suite, report.model, report.mode, report.repeats]).toEqual(['default', 'rules', 'rerun', 2]);
    expect(report.metrics.map((m) => m.name)).toContain('accuracy');
    for (const metric of report.metrics) expect([metric.name, metric.values.length, metric.sd, metric.maxAbsDelta]).toEqual([metric.name, 2, 0, 0]);
  });

  it('measures the spread of an endpoint whose failures vary from run to run', async () => {
    const flaky = await startLoopbackOpenAI({ faults: [{ probability: 0.3, seed: 11, fault: { kind: 'status', status: 503 } }] });
    try {
      const { dir, suite } = writeOpenAISuite({ url: flaky.url, cases: 20, models: ['tuned'], maxRetries: 0, metrics: '[fuzzy]' });
      dirs.push(dir);
      const report = await noise(['--suite', suite, '--repeats', '3']);
      const errorRate = report.metrics.find((m) => m.name === 'error_rate');
      expect(errorRate?.values).toHaveLength(3);
      expect(errorRate?.sd).toBeGreaterThan(0);
      expect(errorRate?.maxAbsDelta).toBeCloseTo(Math.max(...(errorRate?.values ?? [])) - Math.min(...(errorRate?.values ?? [])), 12);
    } finally {
      await flaky.close();
    }
  });

  it('bootstrap-resamples a stored run reproducibly with --resample, and prints a table', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-noise-'));
    dirs.push(dir);
    const db = path.join(dir, 'runs.duckdb');
    expect((await runCli(['run', 'suites/default.yaml', '--db', db])).code).toBe(0);
    // The tiny LogLLM fine-tune (accuracy 0.7 on the 40 held-out windows) spreads; the rules model is perfect there.
    const args = ['--suite', 'suites/default.yaml', '--model', 'logllm-tiny', '--repeats', '200', '--resample', '--db', db];
    const report = await noise(args);
    expect(report.mode).toBe('resample');
    const accuracy = report.metrics.find((m) => m.name === 'accuracy');
    expect(accuracy?.values).toHaveLength(200);
    expect(accuracy?.sd).toBeGreaterThan(0);
    expect(accuracy?.maxAbsDelta).toBe((accuracy?.max ?? 0) - (accuracy?.min ?? 0));
    expect(await noise(args)).toEqual(report);

    const table = await runCli(['noise', ...args]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^noise · default\/logllm-tiny · 200 bootstrap resamples of run \S+\n\nmetric\s+mean\s+sd\s+min\s+max\s+max \|Δ\|\n/);
    expect(table.stdout).toMatch(/^accuracy\s+0\.[67]\d*\s+0\.0\d+\s/m);
  });

  it.each([
    [['--repeats', '1'], '--repeats: expected a whole number from 2 to 1000 (digits only), got "1"'],
    [['--repeats', '1e8'], '--repeats: expected a whole number from 2 to 1000 (digits only), got "1e8"'],
    [['--repeats', '2.5', '--resample'], '--repeats: expected a whole number from 2 to 1000 (digits only), got "2.5"'],
    [['--repeats', '2', '--model', 'gpt-9'], '--model: no model gpt-9 in suites/default.yaml (models: rules, logllm-tiny, logllm-tiny-base)'],
    [['--repeats', '2', '--db', 'x.duckdb'], '--db applies to --resample only'],
  ])('refuses bad options with exit 3: %j', async (args, message) => {
    const result = await runCli(['noise', '--suite', 'suites/default.yaml', ...args]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(message);
  });
});
