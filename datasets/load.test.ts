import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadFixtureDataset } from '../test/support/dataset-fixtures.js';
import { splitHashOf } from './load.js';
import { DatasetSpec, type DatasetSpecInput } from './spec.js';

const chunks: DatasetSpecInput = { source: 'loghub-chunks', system: 'HDFS', seed: 3 };

describe('loadDataset', () => {
  it('is deterministic: the same spec gives the same ids, inputs and split hash', async () => {
    for (const spec of [chunks, { source: 'loghub-windows', system: 'BGL', shuffle: true, limit: 5 } as const]) {
      const [a, b] = [await loadFixtureDataset(spec), await loadFixtureDataset(spec)];
      expect(b.samples.map((s) => s.id)).toEqual(a.samples.map((s) => s.id));
      expect(b.splitHash).toBe(a.splitHash);
      expect(a.splitHash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('keeps the first N in file order by default, a seeded sample of N with shuffle', async () => {
    const all = await loadFixtureDataset(chunks);
    const firstThree = await loadFixtureDataset({ ...chunks, limit: 3 });
    expect(firstThree.samples).toEqual(all.samples.slice(0, 3));
    expect(firstThree.name).toBe('test');

    const shuffled = await loadFixtureDataset({ ...chunks, shuffle: true });
    expect(shuffled.samples.map((s) => s.id).sort()).toEqual(all.samples.map((s) => s.id).sort());
    expect(shuffled.samples.map((s) => s.id)).not.toEqual(all.samples.map((s) => s.id));
    const shuffledThree = await loadFixtureDataset({ ...chunks, shuffle: true, limit: 3 });
    expect(shuffledThree.samples).toEqual(shuffled.samples.slice(0, 3));
    expect(shuffledThree.splitHash).not.toBe(firstThree.splitHash);
  });

  it('drops the first N with offset (the held-out tail of a time-ordered split), then applies limit', async () => {
    const all = await loadFixtureDataset(chunks);
    const tail = await loadFixtureDataset({ ...chunks, offset: 2 });
    expect(tail.samples).toEqual(all.samples.slice(2));
    const window = await loadFixtureDataset({ ...chunks, offset: 1, limit: 2 });
    expect(window.samples).toEqual(all.samples.slice(1, 3));
  });

  it('refuses an offset, limit or count that reaches past the end of the split, naming the field and the split size', async () => {
    const size = (await loadFixtureDataset(chunks)).samples.length;
    await expect(loadFixtureDataset({ ...chunks, offset: size })).rejects.toThrow(`dataset.offset: ${size} is past the end of the split (loghub-chunks HDFS: ${size} samples)`);
    await expect(loadFixtureDataset({ ...chunks, offset: 1, limit: size })).rejects.toThrow(
      `dataset.limit: ${size} samples asked for after dataset.offset 1, but the split (loghub-chunks HDFS) has ${size - 1} left of ${size}`,
    );
    await expect(loadFixtureDataset({ ...chunks, count: size + 1 })).rejects.toThrow(`dataset.count: ${size + 1} chunks asked for, but loghub-chunks HDFS holds ${size}`);
    expect((await loadFixtureDataset({ ...chunks, offset: 1, limit: size - 1, count: size })).samples).toHaveLength(size - 1);
  });

  it('hashes ids, inputs, references and labels in order, not meta', () => {
    const a = { id: 'a', input: 'x', meta: { file: '/one/path' } };
    const b = { id: 'b', input: 'y', label: 'normal', meta: {} };
    expect(splitHashOf([a, b])).toBe(splitHashOf([{ ...a, meta: { file: '/another/path' } }, b]));
    expect(splitHashOf([a, b])).not.toBe(splitHashOf([b, a]));
    expect(splitHashOf([a, b])).not.toBe(splitHashOf([a, { ...b, label: 'anomalous' }]));
  });

  it('fails on a split with no samples', async () => {
    await expect(loadFixtureDataset({ source: 'journalctl', path: 'journalctl/journal.jsonl', format: 'json', max_priority: 0 })).rejects.toThrow(
      'dataset journalctl journalctl/journal.jsonl: no samples',
    );
  });
});

describe('DatasetSpec', () => {
  it('fills the common defaults', () => {
    expect(DatasetSpec.parse({ source: 'sharegpt', path: 'a.json' })).toEqual({ source: 'sharegpt', path: 'a.json', split: 'test', offset: 0, seed: 42, shuffle: false, skip_invalid: false });
    expect(DatasetSpec.parse({ source: 'loghub-chunks', system: 'HDFS' })).toMatchObject({ min_lines: 50, max_lines: 150 });
  });

  it.each([
    [{ source: 'csv', path: 'a.csv' }, ['source']],
    [{ source: 'sharegpt', path: 'a.json', limt: 3 }, []],
    [{ source: 'loghub-chunks' }, []],
    [{ source: 'loghub-chunks', system: 'BGL', path: 'x.log' }, []],
    [{ source: 'loghub-chunks', system: 'BGL', min_lines: 10, max_lines: 5 }, ['min_lines']],
    [{ source: 'loghub-chunks', system: 'Hadoop' }, ['system']],
    [{ source: 'loghub-windows', path: 'x.log', log_format: '<Date> <Content>' }, ['log_format']],
    [{ source: 'remote', name: 'fpt-train' }, ['name']],
    [{ source: 'sharegpt', path: 'a.json', limit: 0 }, ['limit']],
  ])('rejects %j at %j', (spec, where) => {
    const parsed = DatasetSpec.safeParse(spec);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(where);
  });

  it('converts to JSON Schema for editors', () => {
    const schema = z.toJSONSchema(DatasetSpec, { io: 'input' });
    expect(JSON.stringify(schema)).toContain('"loghub-windows"');
  });
});

describe('loadSelectedSplit', () => {
  it('streams a JSONL split keeping only the selected samples, with the whole split hash, size and range errors', async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { loadDataset, loadSelectedSplit } = await import('./load.js');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-selected-'));
    try {
      const lines = Array.from({ length: 23 }, (_, i) => JSON.stringify({ id: `r${i}`, logs: `line ${i}\nnext`, label: i % 3 ? 'normal' : 'anomalous' }));
      writeFileSync(path.join(dir, 'data.jsonl'), [...lines.slice(0, 5), '', ...lines.slice(5)].join('\r\n') + '\n');
      for (const input of [{}, { offset: 2 }, { offset: 1, limit: 17 }] as const) {
        const spec = DatasetSpec.parse({ source: 'jsonl', path: 'data.jsonl', input_field: 'logs', label_field: 'label', id_field: 'id', ...input });
        const whole = await loadDataset(spec, { baseDir: dir });
        const shard = (i: number) => (index: number) => index % 3 === i;
        for (const i of [0, 1, 2]) {
          const selected = await loadSelectedSplit(spec, { baseDir: dir }, shard(i));
          expect(selected.samples).toEqual(whole.samples.filter((_, index) => shard(i)(index)));
          expect(selected.splitHash).toBe(whole.splitHash);
          expect(selected.size).toBe(whole.samples.length);
        }
        // The hash is the one the whole split's canonical JSON always had (runs stored before keep their split).
        const { hashOf } = await import('../core/hash.js');
        expect(whole.splitHash).toBe(hashOf(whole.samples.map((s) => ({ id: s.id, input: s.input, reference: s.reference ?? null, label: s.label ?? null }))));
        expect(splitHashOf(whole.samples)).toBe(whole.splitHash);
      }
      const past = DatasetSpec.parse({ source: 'jsonl', path: 'data.jsonl', input_field: 'logs', offset: 23 });
      await expect(loadSelectedSplit(past, { baseDir: dir }, () => true)).rejects.toThrow('dataset.offset: 23 is past the end of the split (jsonl data.jsonl: 23 samples)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
