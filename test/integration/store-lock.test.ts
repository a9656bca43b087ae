import { describe, expect, it } from 'vitest';
import { RunStore, StoreLockedError } from '../../harness/store/index.js';
import { readWithPlainDuckDB, useStoreScratch } from '../support/store-child-process.js';

const scratch = useStoreScratch('logbench-store-lock-');

async function expectHeldRunIntact(heldRunId: string): Promise<void> {
  const store = await RunStore.open(scratch.dbPath, { readOnly: true });
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
    const holder = scratch.start('hold', scratch.dbPath);
    const heldRunId = (await holder.waitForLine((l) => l.startsWith('ready '))).slice('ready '.length);

    const second = scratch.start('open-write', scratch.dbPath, 60_000);
    await second.waitForLine((l) => l === 'opening');
    // Give the second process time to hit the lock; whatever the timing, it must not get in while the holder is open.
    await new Promise((done) => setTimeout(done, 1_000));
    expect(second.lines).not.toContain('opened');

    holder.send('close');
    await holder.waitForLine((l) => l === 'closed');
    await second.waitForLine((l) => l === 'done');
    expect((await second.exited).code).toBe(0);

    await expectHeldRunIntact(heldRunId);
    const plain = readWithPlainDuckDB(scratch.dbPath);
    expect(plain.ok && plain.result.runs.map((r) => r.model_id).sort()).toEqual(['model-held', 'model-second']);
  });

  it('makes the second give up with StoreLockedError after lockWaitMs, naming the file, and leaves the file intact', async () => {
    const holder = scratch.start('hold', scratch.dbPath);
    const heldRunId = (await holder.waitForLine((l) => l.startsWith('ready '))).slice('ready '.length);

    const second = scratch.start('open-write', scratch.dbPath, 300);
    expect((await second.exited).code).toBe(3);
    const reported = JSON.parse(second.lines.find((l) => l.startsWith('{')) ?? '{}') as { error?: string; message?: string };
    expect(reported.error).toBe('StoreLockedError');
    expect(reported.message).toContain(scratch.dbPath);
    expect(reported.message).toMatch(/another logbench process/);

    // The same from this process, through the class, and through a handle that attaches the file
    // with its own row group size (how `merge` opens a new target): ATTACH takes the same lock.
    for (const options of [{}, { rowGroupSize: 8192 }]) {
      const inProcess = RunStore.open(scratch.dbPath, { lockWaitMs: 200, ...options });
      await expect(inProcess).rejects.toBeInstanceOf(StoreLockedError);
      await expect(inProcess).rejects.toThrow(/locked by another logbench process/);
    }

    holder.send('close');
    await holder.waitForLine((l) => l === 'closed');
    await expectHeldRunIntact(heldRunId);
  });
});
