import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RunStore, StoreLockedError } from '../../harness/store/index.js';
import { StoreChild, readWithPlainDuckDB, requireBuiltStore } from '../support/store-child-process.js';

let dir: string;
let dbPath: string;
let children: StoreChild[] = [];

beforeAll(requireBuiltStore);
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'logbench-store-lock-'));
  dbPath = join(dir, 'logbench.duckdb');
});
afterEach(async () => {
  for (const child of children) {
    child.kill('SIGKILL');
    await child.exited;
  }
  children = [];
  rmSync(dir, { recursive: true, force: true });
});

function start(...args: ConstructorParameters<typeof StoreChild>): StoreChild {
  const child = new StoreChild(...args);
  children.push(child);
  return child;
}

async function expectHeldRunIntact(heldRunId: string): Promise<void> {
  const store = await RunStore.open(dbPath, { readOnly: true });
  try {
    expect(await store.predictions(heldRunId)).toHaveLength(1);
    expect(await store.batches(heldRunId)).toHaveLength(1);
    expect(await store.metrics(heldRunId)).toMatchObject([{ name: 'bleu', value: 0.5 }]);
  } finally {
    await store.close();
  }
}

describe('two processes opening one store for writing', () => {
  it('makes the second wait until the first closes, then lets it write', async () => {
    const holder = start('hold', dbPath);
    const heldRunId = (await holder.waitForLine((l) => l.startsWith('ready '))).slice('ready '.length);

    const second = start('open-write', dbPath, 60_000);
    await second.waitForLine((l) => l === 'opening');
    // Give the second process time to hit the lock; whatever the timing, it must not get in while the holder is open.
    await new Promise((done) => setTimeout(done, 1_000));
    expect(second.lines).not.toContain('opened');

    holder.send('close');
    await holder.waitForLine((l) => l === 'closed');
    await second.waitForLine((l) => l === 'done');
    expect((await second.exited).code).toBe(0);

    await expectHeldRunIntact(heldRunId);
    const plain = readWithPlainDuckDB(dbPath);
    expect(plain.ok && plain.result.runs.map((r) => r.model_id).sort()).toEqual(['model-held', 'model-second']);
  });

  it('makes the second give up with StoreLockedError after lockWaitMs, naming the file, and leaves the file intact', async () => {
    const holder = start('hold', dbPath);
    const heldRunId = (await holder.waitForLine((l) => l.startsWith('ready '))).slice('ready '.length);

    const second = start('open-write', dbPath, 300);
    expect((await second.exited).code).toBe(3);
    const reported = JSON.parse(second.lines.find((l) => l.startsWith('{')) ?? '{}') as { error?: string; message?: string };
    expect(reported.error).toBe('StoreLockedError');
    expect(reported.message).toContain(dbPath);
    expect(reported.message).toMatch(/another logbench process/);

    // The same from this process, through the class.
    const inProcess = RunStore.open(dbPath, { lockWaitMs: 200 });
    await expect(inProcess).rejects.toBeInstanceOf(StoreLockedError);
    await expect(inProcess).rejects.toThrow(/locked by another logbench process/);

    holder.send('close');
    await holder.waitForLine((l) => l === 'closed');
    await expectHeldRunIntact(heldRunId);
  });
});
