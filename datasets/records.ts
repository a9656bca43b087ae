import path from 'node:path';
import type { z } from 'zod';
import { describeZodIssue, InputRecordError, parseJsonLine } from '../core/io/jsonl.js';
import { MAX_DATA_FILE_BYTES, readInputText } from '../core/io/readInput.js';
import type { Sample } from '../core/sample.js';

/** Where a bad record sits: a 1-based line for line-oriented files, a 0-based index for JSON arrays. */
export type RecordLocation = { line: number; row?: number } | { record: number };

export interface SkippedRecord {
  record: string;
  reason: string;
}

export interface LoadedRecords {
  samples: Sample[];
  skipped: SkippedRecord[];
}

/**
 * Gathers one file's samples. A bad record throws an error naming the file and record, unless the
 * suite set `skip_invalid`: then it is dropped and listed in `skipped`, never silently.
 */
export class RecordCollector implements LoadedRecords {
  readonly samples: Sample[] = [];
  readonly skipped: SkippedRecord[] = [];

  constructor(
    readonly file: string,
    private readonly skipInvalid: boolean,
    /** Where samples go instead of `samples`: a split built as the file streams by (`loadSelectedSplit`). */
    private readonly sink?: (sample: Sample) => void,
  ) {}

  add(sample: Sample): void {
    if (this.sink) this.sink(sample);
    else this.samples.push(sample);
  }

  /** Validates one record; a bad one is rejected (see `reject`) and gives undefined. */
  parse<T>(schema: z.ZodType<T>, raw: unknown, where: RecordLocation): T | undefined {
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    this.reject(where, describeZodIssue(parsed.error.issues[0] as z.core.$ZodIssue));
    return undefined;
  }

  /** Parses one line of JSON and validates it; a bad one is rejected and gives undefined. */
  parseJsonLine<T>(schema: z.ZodType<T>, text: string, where: RecordLocation): T | undefined {
    const json = parseJsonLine(text);
    if ('error' in json) {
      this.reject(where, json.error);
      return undefined;
    }
    return this.parse(schema, json.value, where);
  }

  reject(where: RecordLocation, reason: string): void {
    const detail = 'row' in where && where.row !== undefined ? `row ${where.row}: ${reason}` : reason;
    if (!this.skipInvalid) {
      if ('line' in where) throw new InputRecordError(this.file, where.line, detail);
      throw new InputRecordError(this.file, undefined, `record ${where.record}: ${detail}`);
    }
    const record = 'line' in where ? `${this.file}:${where.line}` : `${this.file}: record ${where.record}`;
    this.skipped.push({ record, reason: detail });
  }
}

/** Reads a dataset file by the one rule for every input (harness/io/readInput.ts), under the data-file limit. */
export async function readDatasetText(file: string): Promise<string> {
  return readInputText(file, MAX_DATA_FILE_BYTES);
}

/** Splits into lines without their terminators; CRLF and a missing final newline are both accepted. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Reads a JSON document; a syntax error is an error naming the file. */
export async function readJsonFile(file: string): Promise<unknown> {
  const text = await readDatasetText(file);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InputRecordError(file, undefined, `not valid JSON (${(err as Error).message})`);
  }
}

/** Zero-padded index used in sample ids, so ids sort in file order. */
export function indexTag(index: number): string {
  return String(index).padStart(4, '0');
}

/** The file name without directory and extension: the default id prefix for records of a file. */
export function fileStem(file: string): string {
  return path.basename(file, path.extname(file));
}

/** Windows of `size` items starting every `step` items; the last ones may be shorter (LogLLM's fixedSize_window). */
export function fixedWindows<T>(items: readonly T[], size: number, step: number): T[][] {
  const windows: T[][] = [];
  for (let start = 0; start < items.length; start += step) windows.push(items.slice(start, start + size));
  return windows;
}

/** Sample meta for a window of file lines: where it starts and ends (1-based) and how many lines it holds. */
export function lineSpan(window: readonly { line: number }[]): { first_line?: number; last_line?: number; lines: number } {
  return { first_line: window[0]?.line, last_line: window[window.length - 1]?.line, lines: window.length };
}
