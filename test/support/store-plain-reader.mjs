// Reads a logbench store with nothing but @duckdb/node-api, read-only: the store is a plain DuckDB file.
// Usage: node store-plain-reader.mjs DB_PATH — prints one JSON object, or exits 1 with DuckDB's message on stderr.
import { DuckDBInstance } from '@duckdb/node-api';

const dbPath = process.argv[2];
if (!dbPath) {
  console.error('usage: store-plain-reader.mjs DB_PATH');
  process.exit(2);
}

try {
  const instance = await DuckDBInstance.create(dbPath, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  const rows = async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJson();
  const result = {
    runs: await rows('SELECT id, status, model_id FROM runs ORDER BY started_at, id'),
    predictions: await rows('SELECT run_id, count(*)::INTEGER AS n FROM predictions GROUP BY run_id ORDER BY run_id'),
    metrics: await rows('SELECT run_id, name, value FROM metrics ORDER BY run_id, name'),
  };
  connection.closeSync();
  instance.closeSync();
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
