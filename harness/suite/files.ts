import path from 'node:path';
import { InputRecordError } from '../../core/io/jsonl.js';
import { readInputText } from '../../core/io/readInput.js';

/** A suite that cannot run as written; the message names the file (and, where known, line and column). */
export class SuiteError extends Error {
  override name = 'SuiteError';
}

/** A file a suite names (a prompt, a schema), relative to the suite's folder; `what` names the suite field in errors. */
export function readSuiteFile(baseDir: string, rel: string, what: string, suiteFile: string): string {
  const full = path.resolve(baseDir, rel);
  try {
    return readInputText(full);
  } catch (err) {
    if (err instanceof InputRecordError) throw new SuiteError(`${suiteFile}: ${what}: ${err.message}`);
    throw err;
  }
}
