/** Where every command's database is, unless --db says otherwise. */
export const DEFAULT_DB = 'runs/logbench.duckdb';
