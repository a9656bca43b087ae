import { existsSync } from 'node:fs';
import path from 'node:path';
import { InputRecordError } from '../../core/io/jsonl.js';
import { InputFileError, readInputText } from '../../core/io/readInput.js';
import { packageRoot } from '../run/provenance.js';

/** A suite that cannot run as written; the message names the file (and, where known, line and column). */
export class SuiteError extends Error {
  override name = 'SuiteError';
}

/**
 * What to say when a path a suite names leads nowhere. Paths are relative to the suite file's
 * folder, so a suite copied out of logbench's `suites/` loses its `../prompts/…`: the message names
 * the absolute path tried, the folder it was resolved against, and the fix (logbench's own file, when
 * the path leads to one from `suites/`).
 */
export function missingSuitePath(baseDir: string, rel: string): string {
  const full = path.resolve(baseDir, rel);
  if (path.isAbsolute(rel)) return `${full} does not exist`;
  const tried = `${full} does not exist (${rel} is relative to the suite file's folder, ${baseDir})`;
  const shippedSuites = path.join(packageRoot(), 'suites');
  const shipped = path.resolve(shippedSuites, rel);
  if (shipped !== full && existsSync(shipped)) {
    return `${tried}; from logbench's suites/ it names ${shipped}: set it to that absolute path, or copy the file to ${full}`;
  }
  return `${tried}; give it relative to that folder, or as an absolute path`;
}

/** A file a suite names (a prompt, a schema), relative to the suite's folder; `what` names the suite field in errors. */
export function readSuiteFile(baseDir: string, rel: string, what: string, suiteFile: string): string {
  const full = path.resolve(baseDir, rel);
  try {
    return readInputText(full);
  } catch (err) {
    if (err instanceof InputFileError && err.code === 'ENOENT') throw new SuiteError(`${suiteFile}: ${what}: ${missingSuitePath(baseDir, rel)}`);
    if (err instanceof InputRecordError) throw new SuiteError(`${suiteFile}: ${what}: ${err.message}`);
    throw err;
  }
}
