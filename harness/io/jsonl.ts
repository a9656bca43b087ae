import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { z } from 'zod';

/** Bad input in a line-oriented file: carries the file and 1-based line so the message can name them. */
export class InputRecordError extends Error {
  override name = 'InputRecordError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(line === undefined ? `${file}: ${reason}` : `${file}:${line}: ${reason}`);
  }
}

/** One zod issue as `field "a.b": message`, the shape every input error uses. */
export function describeZodIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.map(String).join('.');
  return field ? `field "${field}": ${issue.message}` : issue.message;
}

/**
 * Streams a JSONL file record by record (constant memory), validating each line with `schema`.
 * Blank lines are skipped; CRLF is accepted. The first bad line throws an InputRecordError.
 */
export async function* readJsonl<T>(file: string, schema: z.ZodType<T>): AsyncGenerator<{ line: number; value: T }> {
  const input = file === '-' ? process.stdin : createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      if (text.trim() === '') continue;
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (err) {
        throw new InputRecordError(file, line, `not valid JSON (${(err as Error).message})`);
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success) throw new InputRecordError(file, line, describeZodIssue(parsed.error.issues[0] as z.core.$ZodIssue));
      yield { line, value: parsed.data };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InputRecordError(file, undefined, 'no such file');
    throw err;
  } finally {
    lines.close();
  }
}
