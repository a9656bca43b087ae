/**
 * Writes models/offline-lm-tiny-{base,ft}/metrics.json from a database in which `logbench run` stored the
 * two offline generative suites: each model's held-out figures as the suites compute them, which
 * test/integration/models-offline-lm.test.ts then requires a fresh run to reproduce exactly.
 *
 *   node dist/cli/bin.js run suites/offline-cause-remediation.yaml --db /tmp/offline.duckdb --no-report
 *   node dist/cli/bin.js run suites/offline-json-analysis.yaml --db /tmp/offline.duckdb --no-report
 *   node --import tsx tools/train/recordOfflineFigures.ts /tmp/offline.duckdb
 *
 * The other models of the suites (the rules floor, the most-frequent-answer baseline) are recorded in both
 * files under `baselines`, so each card's comparison with them is checked too. Not part of the package build.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const OFFLINE_SUITES = ['offline-cause-remediation', 'offline-json-analysis'] as const;
const OFFLINE_CHECKPOINTS = { 'tiny-lm-base': 'offline-lm-tiny-base', 'tiny-lm-ft': 'offline-lm-tiny-ft' } as const;

type Figures = Record<string, { value: number | null; n: number }>;

async function main(db: string): Promise<void> {
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  // The latest run of each suite and model.
  const reader = await connection.runAndReadAll(
    `WITH latest AS (SELECT suite_name, model_id, arg_max(id, started_at) AS run_id FROM runs GROUP BY suite_name, model_id)
     SELECT l.suite_name, l.model_id, m.name, m.value, m.n FROM latest l JOIN metrics m ON m.run_id = l.run_id ORDER BY 1, 2, 3`,
  );
  const bySuite: Record<string, Record<string, Figures>> = {};
  for (const row of reader.getRowObjectsJS() as { suite_name: string; model_id: string; name: string; value: number | null; n: number }[]) {
    ((bySuite[row.suite_name] ??= {})[row.model_id] ??= {})[row.name] = { value: row.value, n: Number(row.n) };
  }
  connection.closeSync();
  instance.closeSync();
  for (const suite of OFFLINE_SUITES) if (!bySuite[suite]) throw new Error(`${db}: no run of suite ${suite}`);
  for (const [modelId, folder] of Object.entries(OFFLINE_CHECKPOINTS)) {
    const metrics = {
      note: 'Held-out figures as `logbench run suites/<suite>.yaml` stores them (tools/train/recordOfflineFigures.ts).',
      ...Object.fromEntries(
        OFFLINE_SUITES.map((suite) => {
          const models = bySuite[suite] as Record<string, Figures>;
          const baselines = Object.fromEntries(Object.entries(models).filter(([id]) => !(id in OFFLINE_CHECKPOINTS)));
          return [suite, { figures: models[modelId], baselines }];
        }),
      ),
    };
    writeFileSync(path.join(REPO, 'models', folder, 'metrics.json'), `${JSON.stringify(metrics, null, 1)}\n`);
  }
}

await main(process.argv[2] ?? path.join(REPO, 'runs', 'logbench.duckdb'));
