import path from 'node:path';

/** Where shard I of N of the run stored in `out` keeps its database: beside `out`, named after it (`OUT.shard-3-of-4.duckdb`). */
export function shardDatabasePath(out: string, index: number | string, count: number): string {
  const { dir, name, ext } = path.parse(path.resolve(out));
  return path.join(dir, `${name}.shard-${index}-of-${count}${ext || '.duckdb'}`);
}

/** Every shard database of an N-way run, in index order (what `merge` joins). */
export function shardDatabasePaths(out: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => shardDatabasePath(out, index, count));
}

/** A file beside `out` that belongs to its sharded run (`OUT.merge.sbatch`, `OUT.merge.log`). */
export function besideDatabase(out: string, suffix: string): string {
  const { dir, name } = path.parse(path.resolve(out));
  return path.join(dir, `${name}${suffix}`);
}
