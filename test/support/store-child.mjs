// A second process for test/integration/store-*.test.ts: drives the built store (dist/, from `npm run build`).
// Usage: node store-child.mjs MODE DB_PATH [LOCK_WAIT_MS]
//   write-forever  resumes (or starts) run key "crash" and commits batches until killed, printing "committed N"
//   hold           opens, writes one batch, prints "ready", closes when stdin says "close", prints "closed"
//   open-write     opens (waiting up to LOCK_WAIT_MS), prints "opened", writes one run, closes, prints "done";
//                  exits 3 after printing the error as JSON when the file stays locked
import { createInterface } from 'node:readline';
import { RunStore, StoreLockedError } from '../../dist/harness/store/index.js';

const [mode, dbPath, lockWaitArg] = process.argv.slice(2);
if (!mode || !dbPath) {
  console.error('usage: store-child.mjs MODE DB_PATH [LOCK_WAIT_MS]');
  process.exit(2);
}

function newRun(runKey) {
  return {
    runKey,
    suiteName: 'crash-suite',
    modelId: `model-${runKey}`,
    provider: 'replay',
    task: 'fpt-json',
    harnessVersion: '0.0.0-test',
    nodeVersion: process.version,
    host: 'test',
    configHash: 'config',
    splitHash: 'split',
    decoding: { temperature: 0 },
    suite: { name: 'crash-suite' },
  };
}

/** Sizes cycle 1..7 so that a partial batch would show as a size/prediction mismatch. */
async function writeBatch(store, runId, batchIndex) {
  const size = (batchIndex % 7) + 1;
  const predictions = Array.from({ length: size }, (_, k) => ({
    sampleId: `b${batchIndex}-s${k}`,
    text: `output ${batchIndex}/${k} `.repeat(50),
    latencyMs: 5 + k,
    tokensIn: 100,
    tokensOut: 20,
  }));
  const sampleMetrics = predictions.flatMap((p) => ['bleu', 'rougeL', 'fuzzy'].map((name) => ({ sampleId: p.sampleId, name, value: 0.5 })));
  const cacheEntries = predictions.map((p) => ({ requestHash: `${runId}:${p.sampleId}`, provider: 'replay', model: 'm', response: { text: p.text } }));
  await store.writeBatch(runId, { batchIndex, size, startedAt: new Date(), wallMs: 10 }, predictions, sampleMetrics, cacheEntries);
}

function print(line) {
  process.stdout.write(`${line}\n`);
}

if (mode === 'write-forever') {
  const store = await RunStore.open(dbPath);
  const resumable = await store.findResumableRun('crash');
  const runId = resumable?.id ?? (await store.createRun(newRun('crash')));
  for (let batchIndex = await store.nextBatchIndex(runId); ; batchIndex++) {
    await writeBatch(store, runId, batchIndex);
    print(`committed ${batchIndex}`);
  }
} else if (mode === 'hold') {
  const store = await RunStore.open(dbPath);
  const runId = await store.createRun(newRun('held'));
  await writeBatch(store, runId, 0);
  await store.writeMetrics(runId, [{ name: 'bleu', value: 0.5, n: 1 }]);
  print(`ready ${runId}`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === 'close') break;
  }
  await store.close();
  print('closed');
} else if (mode === 'open-write') {
  print('opening');
  let store;
  try {
    store = await RunStore.open(dbPath, { lockWaitMs: Number(lockWaitArg ?? 30_000) });
  } catch (error) {
    if (!(error instanceof StoreLockedError)) throw error;
    print(JSON.stringify({ error: error.name, message: error.message }));
    process.exit(3);
  }
  print('opened');
  const runId = await store.createRun(newRun('second'));
  await writeBatch(store, runId, 0);
  await store.close();
  print('done');
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
