import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shippedDataDir } from '../shipped.js';
import { DatasetSpec } from '../spec.js';
import { DATASET_FIXTURES, loadFixtureDataset } from '../../test/support/dataset-fixtures.js';

const fixture = (name: string): string => path.join(DATASET_FIXTURES, 'journalctl', name);

describe('journalctl loader', () => {
  it('reads -o short lines one per sample, skipping journalctl markers', async () => {
    const split = await loadFixtureDataset({ source: 'journalctl', path: 'journalctl/short.log' });
    expect(split.samples.map((s) => [s.id, s.meta.first_line])).toEqual([
      ['short-w0000', 2],
      ['short-w0001', 3],
      ['short-w0002', 4],
    ]);
    expect(split.samples[2]?.input).toBe('Dec  4 22:08:15 Admin systemd[1]: Started systemd-hostnamed.service - Hostname Service.');
  });

  it("loads ALSATE's shipped live_logs.txt in windows", async () => {
    const split = await loadFixtureDataset({ source: 'journalctl', path: path.join(shippedDataDir(), 'alsate/live_logs.txt'), window: 3 });
    expect(split.samples.map((s) => s.meta.lines)).toEqual([3, 3, 1]);
    expect(split.samples[2]?.input).toMatch(/^Dec 04 22:08:15 Admin tracker-miner-fs-3\[14364\]: /);
  });

  it('names a line that is not short output', async () => {
    await expect(loadFixtureDataset({ source: 'journalctl', path: 'journalctl/short-bad.log' })).rejects.toThrow(`${fixture('short-bad.log')}:2: not a journalctl -o short line`);
  });

  it('keeps json entries up to WARNING by default and renders them as short lines (UTC)', async () => {
    const split = await loadFixtureDataset({ source: 'journalctl', path: 'journalctl/journal.jsonl', format: 'json', window: 2 });
    expect(split.samples.map((s) => s.input)).toEqual([
      'Dec 04 22:07:42 Admin kernel: EXT4-fs error (device sda1): bad block bitmap\nDec 04 22:07:44 Admin gnome-shell[1930]: GLib: warn \uFFFD',
      'Dec 04 22:07:46 Admin smartd[900]: Device: /dev/sda, FAILED SMART self-check',
    ]);
    const wider = await loadFixtureDataset({ source: 'journalctl', path: 'journalctl/journal.jsonl', format: 'json', max_priority: 6 });
    expect(wider.samples).toHaveLength(5);
  });

  it('names a json entry without PRIORITY, and counts bad entries with skip_invalid', async () => {
    const file = fixture('journal-bad.jsonl');
    await expect(loadFixtureDataset({ source: 'journalctl', path: 'journalctl/journal-bad.jsonl', format: 'json' })).rejects.toThrow(`${file}:2: field "PRIORITY": `);
    const split = await loadFixtureDataset({ source: 'journalctl', path: 'journalctl/journal-bad.jsonl', format: 'json', skip_invalid: true });
    expect(split.samples).toHaveLength(1);
    expect(split.skipped.map((s) => s.record)).toEqual([`${file}:2`, `${file}:3`]);
  });

  it('refuses max_priority for short output, which carries no priority', () => {
    const parsed = DatasetSpec.safeParse({ source: 'journalctl', path: 'x.log', max_priority: 3 });
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['max_priority'], message: expect.stringMatching(/carries no priority/) });
  });
});
