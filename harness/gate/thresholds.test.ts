import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../cli/errors.js';
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
    ['negative drop', 'metrics:\n  accuracy: { max_drop: -0.1 }\n', 'field "metrics.accuracy.max_drop"'],
    ['unknown key', 'metrics:\n  accuracy: { min_value: 0.9 }\n', 'metrics.accuracy'],
    ['no rule', 'metrics:\n  f1: {}\n', 'field "metrics.f1": give at least one of min, max, max_drop, max_drop_relative'],
    ['min above max', 'metrics:\n  f1: { min: 0.9, max: 0.5 }\n', 'field "metrics.f1.min": min must not exceed max'],
    ['significance without a change rule', 'metrics:\n  f1: { min: 0.9, significant_at: 0.05 }\n', 'field "metrics.f1.significant_at"'],
    ['significance out of range', 'significant_at: 5\nmetrics:\n  f1: { max_drop: 0 }\n', 'field "significant_at"'],
    ['no metrics', 'metrics: {}\n', 'field "metrics": name at least one metric'],
    ['bad metric name', 'metrics:\n  "f1 score": { min: 0.5 }\n', 'metrics.f1 score'],
  ])('names the file and the field: %s', (name, yaml, expected) => {
    const file = thresholdsFile(`${name.replace(/\W/g, '-')}.yaml`, yaml);
    const error = loadError(file);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message.startsWith(`${file}: `)).toBe(true);
    expect(error.message).toContain(expected);
  });

  it('reports YAML syntax errors and unreadable files with the file name', () => {
    const broken = thresholdsFile('broken.yaml', 'metrics:\n  accuracy: { min: 0.9\n');
    expect(loadError(broken).message).toMatch(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: YAML: `));
    const missing = path.join(dir, 'missing.yaml');
    expect(loadError(missing).message).toBe(`${missing}: cannot read thresholds (ENOENT)`);
  });
});
