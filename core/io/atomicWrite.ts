import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writtenPath } from './outputPath.js';

/**
 * Writes `file` whole or not at all: the bytes go to a temporary file beside it, which then replaces
 * it by a rename. A full disk or a kill mid-write leaves what was there (a good report, a committed
 * baseline) as it was, never truncated. Through a symlink, the link's target is replaced.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const target = writtenPath(file);
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(temporary, 'wx', modeOf(target));
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, target);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** The permissions of the file being replaced, so a rewrite keeps them; a new file gets the usual 0666 less umask. */
function modeOf(file: string): number {
  try {
    return statSync(file).mode & 0o777;
  } catch {
    return 0o666;
  }
}
