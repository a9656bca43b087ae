import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeInput, MAX_DATA_FILE_BYTES, readInputBytes, readInputLines, readInputText } from './readInput.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-read-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const full = path.join(dir, name);
  writeFileSync(full, content);
  return full;
}

async function linesOf(name: string, maxLineBytes?: number): Promise<{ line: number; text: string }[]> {
  const lines = [];
  for await (const line of readInputLines(name, maxLineBytes)) lines.push(line);
  return lines;
}

const INVALID_UTF8 = Uint8Array.from([0x61, 0xff, 0x62]);

describe('readInputText', () => {
  it('refuses a FIFO without opening it (an open for reading would block until a writer comes)', () => {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => readInputText(fifo)).toThrow(`${fifo}: not a regular file (a FIFO)`);
  });

  it('refuses a device and a directory, naming them', () => {
    expect(() => readInputBytes('/dev/zero', 1024)).toThrow('/dev/zero: not a regular file (a character device)');
    expect(() => readInputText(dir)).toThrow(`${dir}: not a regular file (a directory)`);
    expect(() => readInputText(path.join(dir, 'absent.txt'))).toThrow(`${path.join(dir, 'absent.txt')}: no such file`);
  });

  it('refuses a file over the limit', () => {
    const big = file('big.txt', 'x'.repeat(11));
    expect(readInputBytes(big, 11)).toHaveLength(11);
    expect(() => readInputBytes(big, 10)).toThrow(`${big}: larger than the limit for this kind of file (10 bytes)`);
  });

  it('holds data files to what a loader can keep in memory (a 400 MB split once took 3 GB), saying why', () => {
    const sparse = file('big.jsonl', '');
    truncateSync(sparse, 128 * 1024 ** 2 + 1);
    expect(MAX_DATA_FILE_BYTES).toBe(128 * 1024 ** 2);
    expect(() => readInputText(sparse, MAX_DATA_FILE_BYTES)).toThrow(
      `${sparse}: larger than the limit for this kind of file (128 MiB: a data file is held in memory, at several times its size, while it loads)`,
    );
  });

  it('says that text too long for one string is too long, not that it is invalid UTF-8', () => {
    const tooLong = Buffer.alloc(2 ** 29, 0x61);
    expect(() => decodeInput('huge.jsonl', tooLong)).toThrow(/^huge\.jsonl:1: 536870912 bytes of text from here on are more than one string can hold \(at most 536870888 characters\)$/);
  });

  it('drops a leading BOM and names the line of invalid UTF-8', () => {
    expect(readInputText(file('bom.txt', '\uFEFFa\r\nb\n'))).toBe('a\r\nb\n');
    const bad = file('bad.txt', Buffer.concat([Buffer.from('ok\nok\r\n'), INVALID_UTF8, Buffer.from('\nok\n')]));
    expect(() => readInputText(bad)).toThrow(`${bad}:3: not valid UTF-8`);
  });
});

describe('readInputLines', () => {
  it('gives numbered lines by the same rule, across reads that cut lines and characters apart', async () => {
    // 3-byte characters over several 64 KiB reads: cuts fall inside characters and lines.
    const lines = Array.from({ length: 3000 }, (_, i) => `${i} ${'€'.repeat(i % 97)}`);
    const name = file('many.jsonl', `\uFEFF${lines.join('\r\n')}`);
    expect(await linesOf(name)).toEqual(lines.map((text, i) => ({ line: i + 1, text })));
  });

  it('names the line of invalid UTF-8 after many lines and of a line over the limit', async () => {
    const before = Array.from({ length: 5000 }, (_, i) => `line ${i}`).join('\n');
    const bad = file('bad.jsonl', Buffer.concat([Buffer.from(`${before}\n`), INVALID_UTF8, Buffer.from('\nafter\n')]));
    await expect(linesOf(bad)).rejects.toThrow(`${bad}:5001: not valid UTF-8`);
    const long = file('long.jsonl', `short\n${'x'.repeat(200_000)}\n`);
    await expect(linesOf(long, 100_000)).rejects.toThrow(`${long}:2: line longer than the limit (100000 bytes)`);
  });

  it('refuses a FIFO and /dev/zero before reading', async () => {
    const fifo = path.join(dir, 'lines-fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(linesOf(fifo)).rejects.toThrow(`${fifo}: not a regular file (a FIFO)`);
    await expect(linesOf('/dev/zero')).rejects.toThrow('/dev/zero: not a regular file (a character device)');
  });
});
