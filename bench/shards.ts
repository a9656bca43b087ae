/**
 * `npm run bench:shards`: a 100,000-sample classification suite (generated JSONL, the `rules`
 * model) run as 4 shards (`run --shard I/4`, one process each, as a job array runs them) and
 * joined by `logbench merge`; each whole process's wall time and peak RSS. The bounds:
 * ≤ 250 MB per shard, merge ≤ 10 s and ≤ 300 MB.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { measureNodeProcess } from './measureProcess.js';

const cli = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 100_000);
const SHARDS = Number(process.env.BENCH_SHARDS ?? 4);

const WORDS = ['kernel', 'sshd', 'disk', 'timeout', 'connection', 'user', 'login', 'reset', 'root', 'service', 'started', 'stopped'];

/** A 12-line log window per sample (~600 characters); about one in five carries an error line. */
function writeSuite(dir: string): string {
  const lines: string[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const anomalous = i % 5 === 0;
    const logs = Array.from({ length: 12 }, (_, j) => {
      const word = (k: number) => WORDS[(i * 7 + j * 3 + k) % WORDS.length];
      const level = anomalous && j === 6 ? 'ERROR' : 'INFO';
      return `2026-01-01T00:${String(j).padStart(2, '0')}:00 host-${i % 97} ${level} ${word(0)} ${word(1)} ${word(2)} id=${i}-${j}`;
    }).join('\n');
    lines.push(JSON.stringify({ id: `s${String(i).padStart(6, '0')}`, logs, label: anomalous ? 'anomalous' : 'normal' }));
  }
  writeFileSync(path.join(dir, 'data.jsonl'), lines.join('\n') + '\n');
  writeFileSync(path.join(dir, 'prompt.txt'), 'Is this log window normal or anomalous?\n{{input}}\n');
  const suite = path.join(dir, 'suite.yaml');
  writeFileSync(
    suite,
    'name: shards100k\ntask: classification\ndataset:\n  source: jsonl\n  path: data.jsonl\n  input_field: logs\n  label_field: label\n  id_field: id\n' +
      'prompt:\n  user: prompt.txt\nmodels:\n  - id: rules\n    provider: rules\n    batch_size: 256\n',
  );
  return suite;
}

const round = (x: number | null, digits = 1) => (x === null ? null : Number(x.toFixed(digits)));

const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-bench-shards-'));
try {
  const suite = writeSuite(dir);
  const shards = Array.from({ length: SHARDS }, (_, i) => path.join(dir, `shard${i}.duckdb`));
  const shardRuns = shards.map((db, i) => ({
    shard: `${i}/${SHARDS}`,
    ...measureNodeProcess([cli, 'run', suite, '--db', db, '--shard', `${i}/${SHARDS}`, '--no-report'], `run --shard ${i}/${SHARDS}`),
  }));
  const merged = path.join(dir, 'merged.duckdb');
  const merge = measureNodeProcess([cli, 'merge', ...shards, '--db', merged], 'merge');
  const instance = await DuckDBInstance.create(merged, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  const [check] = (await connection.runAndReadAll(`SELECT count(*)::INTEGER AS predictions, (SELECT count(*)::INTEGER FROM runs) AS runs, (SELECT count(*)::INTEGER FROM metrics WHERE ci_low IS NOT NULL) AS intervals FROM predictions`)).getRowObjectsJS();
  connection.closeSync();
  instance.closeSync();
  const peaks = shardRuns.map((s) => s.peakRssMb ?? Number.NaN);
  console.log(
    JSON.stringify(
      {
        samples: SAMPLES,
        shards: SHARDS,
        cpus: os.cpus().length,
        node: process.version,
        shard_runs: shardRuns.map((s) => ({ shard: s.shard, wall_s: round(s.wallS, 2), peak_rss_mb: round(s.peakRssMb) })),
        shard_peak_rss_mb_max: round(Math.max(...peaks)),
        merge: { wall_s: round(merge.wallS, 2), peak_rss_mb: round(merge.peakRssMb) },
        merged_run: check,
        bounds: { shard_rss_le_250_mb: Math.max(...peaks) <= 250, merge_le_10_s: merge.wallS <= 10, merge_rss_le_300_mb: (merge.peakRssMb ?? Infinity) <= 300 },
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
