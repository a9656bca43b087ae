import { describe, expect, it } from 'vitest';
import { formatPValue, printable, textTable } from './format.js';

describe('formatPValue', () => {
  it('never claims more precision than its test has: a bootstrap p below 1/R reads <1/R', () => {
    expect(formatPValue(0, 100)).toBe('<0.01');
    expect(formatPValue(0, 1000)).toBe('<0.001');
    expect(formatPValue(0, 100_000)).toBe('<0.001');
    expect(formatPValue(0.01, 100)).toBe('0.01');
    // An exact test (McNemar) has no resamples.
    expect(formatPValue(0.0004, null)).toBe('<0.001');
    expect(formatPValue(0.0123)).toBe('0.0123');
    expect(formatPValue(null)).toBe('—');
  });
});

describe('printable', () => {
  it('writes every control a terminal acts on as \\xNN, keeping tabs, newlines and other text', () => {
    const hostile = 'boom \u001b[2J\u001b[31mFAKE: all good\u001b]0;pwned\u0007\r\u001b[Kline\u009b1m\u007f';
    expect(printable(hostile)).toBe('boom \\x1b[2J\\x1b[31mFAKE: all good\\x1b]0;pwned\\x07\\x0d\\x1b[Kline\\x9b1m\\x7f');
    expect(printable('a\tb\nc é ✓')).toBe('a\tb\nc é ✓');
  });

  it('is applied to every table cell', () => {
    expect(textTable(['model'], [['m\u001b[2J']], 'l')).toBe('model\n────────\nm\\x1b[2J');
  });

  it('keeps a table cell on its row: a newline in a stored value cannot fake a row (oneLine)', () => {
    expect(printable('a\tb\nc\u2028d', { oneLine: true })).toBe('a\\x09b\\x0ac\\u2028d');
    const spoof = 'lora\nrun-2  suite/model  —  openai  completed';
    const table = textTable(['run', 'variant'], [['run-1', spoof]], 'll');
    expect(table.split('\n')).toHaveLength(3);
    expect(table).toContain('lora\\x0arun-2');
    expect(textTable(['a\nb'], [['x']], 'l').split('\n')).toHaveLength(3);
  });
});
