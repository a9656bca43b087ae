// Issue #12: `merge` gives DuckDB's cached blocks back between its parts (a memory limit lowered for
// a moment, then restored). Shards larger than that momentary limit must still merge into the
// database a single-process run writes: a limit left low fails the next part's copy.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { queryDb, writeRulesSuite } from '../support/run-fixtures.js';

const SAMPLES = 6_000;
const SHARDS = 2;
let dir: string;
let suite: string;

/** 6,000 log windows of ≈ 2 KB: each shard's copy needs far more than the 8 MB the merge evicts down to. */
function writeSuite(): string {
  const windows = Array.from({ length: SAMPLES }, (_, i) => {
    const anomalous = i % 7 === 0;
    const logs = Array.from({ length: 30 }, (_, j) => `2026-01-01T00:00:${String(j).padStart(2, '0')} node-${i % 13} ${anomalous && j === 9 ? 'ERROR disk failure' : 'INFO heartbeat ok'} seq=${i}-${j}`).join('\n');
    return { id: `w${String(i).padStart(5, '0')}`, logs, label: anomalous ? 'anomalous' : 'normal' };
  });
  return writeRulesSuite(dir, 'merge-memory', windows, 500);
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-merge-memory-'));
  suite = writeSuite();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What a merged run must equal: every prediction, per-sample score and figure (with its interval). */
async function contents(db: string): Promise<{ samples: unknown[]; predictions: unknown[]; sampleMetrics: unknown[]; metrics: unknown[] }> {
  return {
    samples: await queryDb(db, 'SELECT sample_id, input_hash, length(input) AS chars, label FROM samples ORDER BY sample_id'),
    predictions: await queryDb(db, 'SELECT sample_id, output, error FROM predictions ORDER BY sample_id'),
    sampleMetrics: await queryDb(db, 'SELECT sample_id, name, value FROM sample_metrics ORDER BY sample_id, name'),
    metrics: await queryDb(db, 'SELECT name, value, ci_low, ci_high, n FROM metrics ORDER BY name'),
  };
}

describe('logbench merge of shards larger than the limit it evicts down to', () => {
  it('merges into the database a single-process run writes', async () => {
    const whole = path.join(dir, 'whole.duckdb');
    const ran = await runCli(['run', suite, '--db', whole, '--no-report']);
    expect(ran.code, ran.stderr).toBe(0);
    const shards = Array.from({ length: SHARDS }, (_, i) => path.join(dir, `shard${i}.duckdb`));
    for (const [i, shard] of shards.entries()) {
      const result = await runCli(['run', suite, '--db', shard, '--shard', `${i}/${SHARDS}`, '--no-report']);
      expect(result.code, result.stderr).toBe(0);
    }
    const merged = path.join(dir, 'merged.duckdb');
    const merge = await runCli(['merge', ...shards, '--db', merged]);
    expect(merge.code, merge.stderr).toBe(0);
    const [expected, actual] = [await contents(whole), await contents(merged)];
    expect(actual.samples).toHaveLength(SAMPLES);
    expect(actual.metrics.length).toBeGreaterThan(0);
    expect(actual).toEqual(expected);
  }, 120_000);
});
