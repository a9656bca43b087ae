/**
 * The one check every file a command writes goes through: an output path must never land on the
 * database, its write-ahead log, any other DuckDB file, or a file the same command reads.
 */
import { closeSync, existsSync, lstatSync, openSync, readSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors.js';

/** What a command keeps or reads: none of it may be overwritten by its outputs. */
export interface OutputContext {
  /** The command's DuckDB file (`--db`); its `.wal` is protected with it. */
  db?: string;
  /** Files the command reads (thresholds, pairs, exports); "-" (stdin) is ignored. */
  inputs?: readonly (string | undefined)[];
}

/** DuckDB files carry this magic at byte offset 8 (DuckDB's storage header). */
const DUCKDB_MAGIC = Buffer.from('DUCK');
const DUCKDB_MAGIC_OFFSET = 8;
const MAX_LINK_HOPS = 40;

/**
 * Where writing `file` would actually put bytes: symlinks followed (dangling ones included, as
 * writeFile creates their target) and the nearest existing folder resolved, so `a/../db` and links
 * to the database compare equal to it.
 */
export function writtenPath(file: string): string {
  let current = path.resolve(file);
  for (let hop = 0; hop < MAX_LINK_HOPS; hop++) {
    let link: string | undefined;
    try {
      if (lstatSync(current).isSymbolicLink()) link = readlinkSync(current);
    } catch {
      // Not there yet: resolve the folder it would be created in.
    }
    if (link === undefined) {
      try {
        return realpathSync(current);
      } catch {
        const parent = path.dirname(current);
        return parent === current ? current : path.join(writtenPath(parent), path.basename(current));
      }
    }
    current = path.resolve(path.dirname(current), link);
  }
  return current;
}

/** Whether two paths name one file: same real path, or (hard links) same device and inode. */
export function sameFile(a: string, b: string): boolean {
  if (writtenPath(a) === writtenPath(b)) return true;
  try {
    // Hard links: two names, one file.
    const [statA, statB] = [statSync(a), statSync(b)];
    return statA.isFile() && statA.dev === statB.dev && statA.ino === statB.ino;
  } catch {
    return false;
  }
}

/** Whether `file` is an existing DuckDB database, by its content rather than its name. */
export function isDuckDbFile(file: string): boolean {
  let fd: number | undefined;
  try {
    if (!statSync(file).isFile()) return false;
    fd = openSync(file, 'r');
    const magic = Buffer.alloc(DUCKDB_MAGIC.length);
    return readSync(fd, magic, 0, magic.length, DUCKDB_MAGIC_OFFSET) === magic.length && magic.equals(DUCKDB_MAGIC);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Why `file` cannot be opened as a store (missing, not a regular file, not DuckDB), or null when it is one. */
export function databaseFileProblem(file: string): string | null {
  let stat;
  try {
    stat = statSync(file);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
  }
  if (!stat.isFile()) return stat.isDirectory() ? 'a directory, not a DuckDB database' : 'not a regular file (a FIFO, device or socket), not a DuckDB database';
  return isDuckDbFile(file) ? null : 'not a DuckDB database (a logbench store)';
}

/**
 * Refuses (CliError, exit 3) a database path that is not one: an existing non-empty file without
 * DuckDB's magic (DuckDB would open a `.csv` or `.json` as an empty in-memory database, so a run
 * would "succeed" and store nothing), or, for writing, the write-ahead log of a DuckDB database
 * (a store there would be overwritten by that database's next WAL).
 */
export function assertDatabasePath(file: string, options: { writing: boolean }): void {
  // One rule with `logbench view`'s check; a path not there yet is created as a new store.
  const problem = existsSync(file) ? databaseFileProblem(file) : null;
  if (problem !== null) throw new CliError(`${file}: ${problem}; name another --db`);
  if (options.writing && file.endsWith('.wal') && isDuckDbFile(file.slice(0, -'.wal'.length))) {
    throw new CliError(`${file}: it is the write-ahead log of the DuckDB database ${file.slice(0, -'.wal'.length)}; name another --db`);
  }
  const orphan = options.writing ? orphanWalProblem(file) : null;
  if (orphan !== null) throw new CliError(orphan);
  if (options.writing && !existsSync(file) && isSymbolicLink(file)) {
    // DuckDB creates the target but keeps this first log beside the link; every later open follows
    // the link and looks beside the target, so what was committed before the first checkpoint is lost.
    throw new CliError(`${file}: a symbolic link to ${writtenPath(file)}, which does not exist yet; DuckDB would keep the new database's write-ahead log beside the link and not find it when the database is next opened. Name ${writtenPath(file)} as --db for the first run (the link works once the database exists)`);
  }
}

function isSymbolicLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Why a new database at `file` would not start empty: `file.wal` is there without `file` (a store
 * killed before its first checkpoint, then removed without its WAL). DuckDB replays a WAL into a new
 * file of that name, so a merged or new store would silently hold another database's rows.
 */
export function orphanWalProblem(file: string): string | null {
  // Through a symbolic link DuckDB keeps the log of a database it creates beside the link, of one that exists beside its target: both count.
  for (const name of new Set([file, writtenPath(file)])) {
    if (existsSync(name) || !existsSync(`${name}.wal`)) continue;
    return `${name}.wal is there without ${name}: the write-ahead log of a database that was removed; DuckDB would replay it into a new ${path.basename(name)}. Remove ${path.basename(name)}.wal if that database is gone for good (or restore it), then run again`;
  }
  return null;
}

/** Why writing `file` would destroy something the command must keep, or null when it is safe. */
function overwriteReason(file: string, context: OutputContext): string | null {
  if (context.db !== undefined) {
    if (sameFile(file, context.db)) return `it is the database ${context.db}`;
    if (sameFile(file, `${context.db}.wal`)) return `it is the write-ahead log of the database ${context.db}`;
  }
  for (const input of context.inputs ?? []) {
    if (input !== undefined && input !== '-' && sameFile(file, input)) return `it is an input of this command (${input})`;
  }
  if (isDuckDbFile(file)) return 'it is a DuckDB database';
  if (file.endsWith('.wal') && isDuckDbFile(file.slice(0, -'.wal'.length))) return `it is the write-ahead log of the DuckDB database ${file.slice(0, -'.wal'.length)}`;
  return null;
}

/**
 * Refuses (CliError, exit 3) before anything is written when any of `files` would overwrite the
 * database, its WAL, a DuckDB file or an input of the command.
 */
export function assertSafeOutputs(files: readonly string[], context: OutputContext): void {
  for (const file of files) {
    const reason = overwriteReason(file, context);
    if (reason !== null) throw new CliError(`refusing to write ${file}: ${reason}; nothing was written`);
  }
}
