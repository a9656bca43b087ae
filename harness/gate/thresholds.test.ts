import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aliasBombYaml } from '../../test/support/alias-bomb.js';
import { CliError, ExitCode } from '../../core/errors.js';
import { loadThresholds } from './thresholds.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-thresholds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function thresholdsFile(name: string, yaml: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

function loadError(file: string): CliError {
  try {
    loadThresholds(file);
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error(`${file} loaded without error`);
}

describe('thresholds files', () => {
  it('reads bounds, change limits and significance levels', () => {
    const file = thresholdsFile(
      'ok.yaml',
      'baseline: latest:default/rules\nsignificant_at: 0.05\nmetrics:\n  accuracy: { min: 0.9, max_drop: 0.01 }\n  error_rate: { max: 0.02, max_drop_relative: 0.5, significant_at: 0.01 }\n',
    );
    expect(loadThresholds(file)).toEqual({
      baseline: 'latest:default/rules',
      significant_at: 0.05,
      metrics: { accuracy: { min: 0.9, max_drop: 0.01 }, error_rate: { max: 0.02, max_drop_relative: 0.5, significant_at: 0.01 } },
    });
  });

  it.each([
    ['negative drop', 'metrics:\n  accuracy: { max_drop: -0.1 }\n', '2:25: metrics.accuracy.max_drop: '],
    ['unknown key', 'metrics:\n  accuracy: { min_value: 0.9 }\n', '2:13: metrics.accuracy: '],
    ['no rule', 'metrics:\n  f1: {}\n', '2:7: metrics.f1: give at least one of min, max, max_drop, max_drop_relative'],
    ['min above max', 'metrics:\n  f1: { min: 0.9, max: 0.5 }\n', '2:14: metrics.f1.min: min must not exceed max'],
    ['significance without a change rule', 'metrics:\n  f1: { min: 0.9, significant_at: 0.05 }\n', '2:35: metrics.f1.significant_at: '],
    ['significance out of range', 'significant_at: 5\nmetrics:\n  f1: { max_drop: 0 }\n', '1:17: significant_at: '],
    ['significance of 0', 'significant_at: 0\nmetrics:\n  f1: { max_drop: 0 }\n', '1:17: significant_at: '],
    ['no metrics', 'metrics: {}\n', '1:10: metrics: name at least one metric'],
    ['bad metric name', 'metrics:\n  "f1 score": { min: 0.5 }\n', 'metrics.f1 score'],
    ['a rate above 1', 'metrics:\n  accuracy: { max_drop: 0.01 }\n  error_rate: { max: 2 }\n', '3:22: metrics.error_rate.max: error_rate lies in [0, 1]: max 2 is outside it'],
    ['an F1 below 0', 'metrics:\n  f1: { min: -0.5 }\n', '2:14: metrics.f1.min: f1 lies in [0, 1]: min -0.5 is outside it'],
    ['a negative distance', 'metrics:\n  levenshtein: { max: -1 }\n', '2:23: metrics.levenshtein.max: levenshtein lies in [0, ∞): max -1 is outside it'],
    ['sacreBLEU above 100', 'metrics:\n  sacrebleu: { min: 101 }\n', 'metrics.sacrebleu.min: sacrebleu lies in [0, 100]: min 101 is outside it'],
    ['a drop wider than the range', 'metrics:\n  accuracy: { max_drop: 5 }\n', '2:25: metrics.accuracy.max_drop: accuracy lies in [0, 1]: a drop of 5 is wider than that range'],
  ])('names the file, line, column and field: %s', (name, yaml, expected) => {
    const file = thresholdsFile(`${name.replace(/\W/g, '-')}.yaml`, yaml);
    const error = loadError(file);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message.startsWith(`${file}:`)).toBe(true);
    // Expectations that start with line:col must follow the file name.
    expect(error.message).toContain(/^\d/.test(expected) ? `${file}:${expected}` : expected);
  });

  it('accepts bounds at the edges of a range, and metrics with no known range', () => {
    const file = thresholdsFile('edges.yaml', 'metrics:\n  accuracy: { min: 0, max: 1, max_drop: 1 }\n  sacrebleu: { min: 100 }\n  risk_mae: { max: 1000 }\n  custom_score: { min: -5 }\n');
    expect(Object.keys(loadThresholds(file).metrics)).toEqual(['accuracy', 'sacrebleu', 'risk_mae', 'custom_score']);
  });

  it('reports YAML syntax errors and unreadable files with the file name', () => {
    const broken = thresholdsFile('broken.yaml', 'metrics:\n  accuracy: { min: 0.9\n');
    expect(loadError(broken).message).toMatch(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:1: YAML: `));
    const missing = path.join(dir, 'missing.yaml');
    expect(loadError(missing).message).toBe(`${missing}: no such file`);
  });

  it('names the file and the line of an alias bomb ("billion laughs")', () => {
    const bomb = thresholdsFile('bomb.yaml', aliasBombYaml('baseline: latest:default/rules', 'metrics: { accuracy: { min: 0.5 } }\n'));
    expect(loadError(bomb).message).toMatch(new RegExp(`^${bomb.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:8: YAML: .*alias`));
  });
});
