import { isUtf8 } from 'node:buffer';
import { closeSync, constants, createReadStream, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { InputRecordError } from './inputError.js';

/**
 * Every file the tool reads (datasets, pairs, replays, suites, prompts, schemas, thresholds, run
 * exports) goes through this module, so one rule holds for all of them: regular files only, a size
 * limit, UTF-8 with a leading BOM dropped and invalid bytes refused with the line named.
 */

/**
 * Whole-file data (datasets, replays, run exports). A loader holds the file, its text and its
 * records at once: a 128 MiB JSONL split peaks near 0.8 GB RSS while it loads, 256 MiB near 1.6 GB
 * (and a run adds its own), so the limit is where that stays well under what a laptop or CI runner has.
 */
export const MAX_DATA_FILE_BYTES = 128 * 1024 ** 2;
/** Hand-written files: suites, prompt templates, JSON schemas, thresholds. */
export const MAX_CONFIG_FILE_BYTES = 16 * 1024 ** 2;
/** Longest line of a streamed JSONL file (`metrics --pairs`), which may be any size in all. */
export const MAX_LINE_BYTES = 64 * 1024 ** 2;

/** A file that cannot be read as input; `code` is the errno code where the system gave one. */
export class InputFileError extends InputRecordError {
  override name = 'InputFileError';
  constructor(
    file: string,
    reason: string,
    readonly code?: string,
  ) {
    super(file, undefined, reason);
  }
}

function systemError(file: string, err: unknown): InputFileError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot read (${code ?? String(err)})`;
  return new InputFileError(file, reason, code);
}

function whatIsNotRegular(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'of another kind';
}

function tooLarge(file: string, maxBytes: number): InputFileError {
  const limit = maxBytes % 1024 ** 2 === 0 ? `${maxBytes / 1024 ** 2} MiB` : `${maxBytes} bytes`;
  const why = maxBytes === MAX_DATA_FILE_BYTES ? ': a data file is held in memory, at several times its size, while it loads' : '';
  return new InputFileError(file, `larger than the limit for this kind of file (${limit}${why})`);
}

/** Refuses what is not a regular file (a FIFO would block the open, /dev/zero never ends) or is over the limit. */
function checkRegular(file: string, stats: Stats, maxBytes: number): void {
  if (!stats.isFile()) throw new InputFileError(file, `not a regular file (${whatIsNotRegular(stats)})`);
  if (stats.size > maxBytes) throw tooLarge(file, maxBytes);
}

/**
 * Opens a regular file for reading: stat first, since opening a FIFO blocks until a writer comes;
 * O_NONBLOCK and a second check on the descriptor cover a path swapped in between.
 */
function openInputFile(file: string, maxBytes: number): { fd: number; size: number } {
  try {
    checkRegular(file, statSync(file), maxBytes);
  } catch (err) {
    throw err instanceof InputFileError ? err : systemError(file, err);
  }
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw systemError(file, err);
  }
  try {
    const stats = fstatSync(fd);
    checkRegular(file, stats, maxBytes);
    return { fd, size: stats.size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** The bytes of a regular file of at most `maxBytes` (a file that grows past it while read is refused too). */
export function readInputBytes(file: string, maxBytes: number): Buffer {
  const { fd, size } = openInputFile(file, maxBytes);
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    // One read for the stated size, one more to see the end (files under /proc state size 0).
    for (let want = size + 1; ; want = 64 * 1024) {
      const chunk = Buffer.allocUnsafe(want);
      const n = readSync(fd, chunk, 0, want, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw tooLarge(file, maxBytes);
      chunks.push(chunk.subarray(0, n));
    }
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
  } catch (err) {
    throw err instanceof InputFileError ? err : systemError(file, err);
  } finally {
    closeSync(fd);
  }
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** 1-based line of the first invalid UTF-8 sequence in `bytes`, counting from `firstLine`; undefined when all is valid. */
function lineOfInvalidUtf8(bytes: Uint8Array, firstLine: number): number | undefined {
  if (isUtf8(bytes)) return undefined;
  let line = firstLine;
  for (let start = 0; start < bytes.length; line++) {
    const end = bytes.indexOf(0x0a, start);
    const stop = end < 0 ? bytes.length : end;
    if (!isUtf8(bytes.subarray(start, stop))) return line;
    start = stop + 1;
  }
  return undefined;
}

/** V8's longest string, in UTF-16 units (2^29 − 24 on 64-bit builds). */
const MAX_STRING_LENGTH = 2 ** 29 - 24;

/** UTF-8 text of `bytes`, which start at line `firstLine` of `file`: one leading BOM dropped, invalid bytes refused naming the line. */
export function decodeInput(file: string, bytes: Uint8Array, firstLine = 1): string {
  const body = firstLine === 1 && UTF8_BOM.every((b, i) => bytes[i] === b) ? bytes.subarray(3) : bytes;
  try {
    return fatalUtf8.decode(body);
  } catch (err) {
    const invalidLine = lineOfInvalidUtf8(body, firstLine);
    if (invalidLine !== undefined) throw new InputRecordError(file, invalidLine, 'not valid UTF-8');
    if ((err as NodeJS.ErrnoException).code === 'ERR_STRING_TOO_LONG') {
      throw new InputRecordError(file, firstLine, `${body.length} bytes of text from here on are more than one string can hold (at most ${MAX_STRING_LENGTH} characters)`);
    }
    throw err;
  }
}

/** A whole input file as text; `maxBytes` defaults to the limit for hand-written files. */
export function readInputText(file: string, maxBytes = MAX_CONFIG_FILE_BYTES): string {
  return decodeInput(file, readInputBytes(file, maxBytes));
}

/**
 * Streams the lines of a file ("-": standard input) with their 1-based numbers, without their
 * terminators (LF or CRLF), decoded by `decodeInput`'s rule. Memory stays at one read plus one line.
 */
export async function* readInputLines(file: string, maxLineBytes = MAX_LINE_BYTES, maxFileBytes = Number.MAX_SAFE_INTEGER): AsyncGenerator<{ line: number; text: string }> {
  // Any size in all unless asked (a dataset streamed keeps the data-file limit): a stream has the line limit.
  const input = file === '-' ? process.stdin : createReadStream('', { fd: openInputFile(file, maxFileBytes).fd });
  const withoutCr = (text: string): string => (text.endsWith('\r') ? text.slice(0, -1) : text);
  // Bytes after the last newline seen, kept as read so a long line is copied once.
  let partial: Buffer[] = [];
  let partialBytes = 0;
  let line = 1;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      const lastNewline = chunk.lastIndexOf(0x0a);
      if (lastNewline < 0) {
        partial.push(chunk);
        partialBytes += chunk.length;
        if (partialBytes > maxLineBytes) throw new InputRecordError(file, line, `line longer than the limit (${maxLineBytes} bytes)`);
        continue;
      }
      // A cut after a newline never splits a UTF-8 sequence, so each part decodes on its own.
      const complete = partial.length ? Buffer.concat([...partial, chunk.subarray(0, lastNewline)]) : chunk.subarray(0, lastNewline);
      for (const text of decodeInput(file, complete, line).split('\n')) yield { line: line++, text: withoutCr(text) };
      const rest = chunk.subarray(lastNewline + 1);
      partial = rest.length ? [rest] : [];
      partialBytes = rest.length;
    }
    if (partialBytes) yield { line, text: withoutCr(decodeInput(file, Buffer.concat(partial), line)) };
  } finally {
    if (input !== process.stdin) input.destroy();
  }
}
