import path from 'node:path';

/** This machine's paths, or POSIX paths inside a container (`path.posix`). */
type PathApi = typeof path.posix;

/** Where shard I of N of the run stored in `out` keeps its database: beside `out`, named after it (`OUT.shard-3-of-4.duckdb`). */
export function shardDatabasePath(out: string, index: number | string, count: number, paths: PathApi = path): string {
  const { dir, name, ext } = paths.parse(paths.resolve(out));
  return paths.join(dir, `${name}.shard-${index}-of-${count}${ext || '.duckdb'}`);
}

/** Every shard database of an N-way run, in index order (what `merge` joins). */
export function shardDatabasePaths(out: string, count: number, paths: PathApi = path): string[] {
  return Array.from({ length: count }, (_, index) => shardDatabasePath(out, index, count, paths));
}

/** A file beside `out` that belongs to its sharded run (`OUT.merge.sbatch`, `OUT.merge.log`). */
export function besideDatabase(out: string, suffix: string): string {
  const { dir, name } = path.parse(path.resolve(out));
  return path.join(dir, `${name}${suffix}`);
}
