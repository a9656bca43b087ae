import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shippedLoghubLog } from '../shipped.js';
import { DATASET_FIXTURES, loadFixtureDataset } from '../../test/support/dataset-fixtures.js';

describe('loghub-chunks loader', () => {
  it('cuts the shipped log into consecutive chunks of 50..150 lines covering the whole file', async () => {
    const raw = (await readFile(shippedLoghubLog('OpenSSH'), 'utf8')).split('\r\n');
    const split = await loadFixtureDataset({ source: 'loghub-chunks', system: 'OpenSSH' });
    let next = 1;
    for (const [i, sample] of split.samples.entries()) {
      const { first_line, last_line, lines } = sample.meta as { first_line: number; last_line: number; lines: number };
      expect(sample.id).toBe(`OpenSSH-c${String(i).padStart(4, '0')}`);
      expect(first_line).toBe(next);
      if (i < split.samples.length - 1) expect(lines).toBeGreaterThanOrEqual(50);
      expect(lines).toBeLessThanOrEqual(150);
      expect(sample.input).toBe(raw.slice(first_line - 1, last_line).join('\n').trim());
      next = last_line + 1;
    }
    expect(next - 1).toBe(2000);
    expect(split.samples.some((s) => s.input.includes('\r'))).toBe(false);
  });

  it('stops after count chunks, and a different seed cuts differently', async () => {
    const first = await loadFixtureDataset({ source: 'loghub-chunks', system: 'Linux', count: 4 });
    const reseeded = await loadFixtureDataset({ source: 'loghub-chunks', system: 'Linux', count: 4, seed: 7 });
    expect(first.samples).toHaveLength(4);
    expect(reseeded.samples.map((s) => s.meta.lines)).not.toEqual(first.samples.map((s) => s.meta.lines));
  });

  it('reads a path relative to the suite: CRLF without a final newline, last chunk shorter', async () => {
    const split = await loadFixtureDataset({ source: 'loghub-chunks', path: 'loghub/bgl-tiny.log', min_lines: 3, max_lines: 3 });
    expect(split.samples.map((s) => [s.id, s.meta.lines])).toEqual([
      ['bgl-tiny-c0000', 3],
      ['bgl-tiny-c0001', 3],
      ['bgl-tiny-c0002', 1],
    ]);
    expect(split.samples[2]?.input).toMatch(/^- 1118769335 .*over 1093 seconds$/);
  });

  it('names a blank chunk, or counts it with skip_invalid', async () => {
    const file = path.join(DATASET_FIXTURES, 'loghub/blank-chunk.log');
    const spec = { source: 'loghub-chunks', path: 'loghub/blank-chunk.log', min_lines: 2, max_lines: 2 } as const;
    await expect(loadFixtureDataset(spec)).rejects.toThrow(`${file}:3: chunk 1 (2 lines) is blank`);
    const split = await loadFixtureDataset({ ...spec, skip_invalid: true });
    expect(split.samples.map((s) => s.input)).toEqual(['line 1\nline 2', 'line 5']);
    expect(split.skipped.map((s) => s.record)).toEqual([`${file}:3`]);
  });
});
