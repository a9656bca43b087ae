import type { z } from 'zod';
import { InputRecordError } from './inputError.js';
import { readInputLines } from './readInput.js';

export { InputRecordError };

/** One zod issue as `field "a.b": message`, the shape every input error uses. */
export function describeZodIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.map(String).join('.');
  return field ? `field "${field}": ${issue.message}` : issue.message;
}

/**
 * Streams a JSONL file record by record (constant memory), validating each line with `schema`.
 * Blank lines are skipped; CRLF is accepted; the encoding rule is readInputLines'. The first bad line throws an InputRecordError.
 */
export async function* readJsonl<T>(file: string, schema: z.ZodType<T>): AsyncGenerator<{ line: number; value: T }> {
  for await (const { line, text } of readInputLines(file)) {
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
}
