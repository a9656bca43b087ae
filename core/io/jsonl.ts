import type { z } from 'zod';
import { InputRecordError } from './inputError.js';
import { readInputLines } from './readInput.js';

export { InputRecordError };

/** One zod issue as `field "a.b": message`, the shape every input error uses. */
export function describeZodIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.map(String).join('.');
  return field ? `field "${field}": ${issue.message}` : issue.message;
}

/** One line of JSON: its value, or the reason it is not JSON (the one wording every JSONL reader uses). */
export function parseJsonLine(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    return { error: `not valid JSON (${(err as Error).message})` };
  }
}

/**
 * Streams a JSONL file record by record (constant memory), validating each line with `schema`.
 * Blank lines are skipped; CRLF is accepted; the encoding rule is readInputLines'. The first bad line throws an InputRecordError.
 */
export async function* readJsonl<T>(file: string, schema: z.ZodType<T>): AsyncGenerator<{ line: number; value: T }> {
  for await (const { line, text } of readInputLines(file)) {
    if (text.trim() === '') continue;
    const json = parseJsonLine(text);
    if ('error' in json) throw new InputRecordError(file, line, json.error);
    const parsed = schema.safeParse(json.value);
    if (!parsed.success) throw new InputRecordError(file, line, describeZodIssue(parsed.error.issues[0] as z.core.$ZodIssue));
    yield { line, value: parsed.data };
  }
}
