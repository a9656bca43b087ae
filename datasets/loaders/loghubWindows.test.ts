import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shippedDataDir } from '../shipped.js';
import { DATASET_FIXTURES, loadFixtureDataset } from '../../test/support/dataset-fixtures.js';
import { LOGLLM_LOG_FORMATS } from '../shipped.js';
import { logFormatRegex } from './loghubWindows.js';

describe('loghub-windows loader', () => {
  it('reproduces the shipped LogLLM CSV (BGL 2k, fixed windows of 100) from the raw CRLF log', async () => {
    const windows = await loadFixtureDataset({ source: 'loghub-windows', system: 'BGL' });
    const csv = await loadFixtureDataset({ source: 'logllm-csv', path: path.join(shippedDataDir(), 'logllm-format/BGL_2k_fixedwindow100.csv') });
    expect(windows.samples).toHaveLength(20);
    expect(windows.samples.map((s) => [s.input, s.label])).toEqual(csv.samples.map((s) => [s.input, s.label]));
    expect(windows.samples[0]?.id).toBe('BGL-w0000');
  });

  it('labels a window anomalous when any line is, and keeps a short last window', async () => {
    const split = await loadFixtureDataset({ source: 'loghub-windows', path: 'loghub/bgl-tiny.log', window: 3, step: 2 });
    expect(split.samples.map((s) => [s.id, s.label, s.meta.first_line, s.meta.lines])).toEqual([
      ['bgl-tiny-w0000', 'anomalous', 1, 3],
      ['bgl-tiny-w0001', 'anomalous', 3, 3],
      ['bgl-tiny-w0002', 'normal', 5, 3],
      ['bgl-tiny-w0003', 'normal', 7, 1],
    ]);
    expect(split.samples[2]?.input).toBe(
      'ciod: failed to read message prefix on control stream (CioStream socket to 172.16.96.116:33370 ;-; generating core.2275 ;-; 1 ddr error(s) detected and corrected on rank 0, symbol 13 over 1093 seconds',
    );
  });

  it('names a line that does not fit the log format, or counts it with skip_invalid', async () => {
    const file = path.join(DATASET_FIXTURES, 'loghub/bgl-bad-line.log');
    await expect(loadFixtureDataset({ source: 'loghub-windows', path: 'loghub/bgl-bad-line.log' })).rejects.toThrow(`${file}:3: does not match log_format`);
    const split = await loadFixtureDataset({ source: 'loghub-windows', path: 'loghub/bgl-bad-line.log', window: 2, skip_invalid: true });
    expect(split.samples.map((s) => [s.meta.first_line, s.meta.last_line])).toEqual([
      [1, 2],
      [4, 5],
    ]);
    expect(split.skipped.map((s) => s.record)).toEqual([`${file}:3`]);
  });

  it('builds the lazy, whitespace-tolerant regex LogLLM generates', () => {
    const groups = logFormatRegex(LOGLLM_LOG_FORMATS.Thunderbird).exec('- 1131566461 2005.11.09 dn228 Nov  9 12:01:01 dn228/dn228 crond[2915]: session closed')?.groups;
    expect(groups).toMatchObject({ Label: '-', Day: '9', AdminAddr: 'dn228/dn228', Content: 'crond[2915]: session closed' });
  });
});
