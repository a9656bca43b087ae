import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './cli.js';

/**
 * Where a screenshot goes: docs/ (what the README shows) when LOGBENCH_UPDATE_SCREENSHOTS=1, else a
 * scratch folder, so a test run does not leave the tree modified (CPU times differ run to run).
 */
export function screenshotPath(name: string): string {
  return process.env.LOGBENCH_UPDATE_SCREENSHOTS === '1' ? join(REPO, 'docs', name) : join(mkdtempSync(join(tmpdir(), 'logbench-shots-')), name);
}
