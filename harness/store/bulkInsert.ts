/**
 * Bulk inserts whose work happens on DuckDB's threads, not the JavaScript one: the rows travel as
 * one JSON document of columns (a single VARCHAR parameter) and the INSERT unnests them with
 * DuckDB's `from_json`. The appender this replaces converted every value on the JavaScript thread
 * and flushed synchronously, blocking the event loop for most of a batch write; here the JS side
 * is one `JSON.stringify`, and the statement runs asynchronously like any other query.
 * Doubles survive exactly (shortest round-trip text both ways); ±Infinity and NaN, which JSON
 * lacks, travel as the strings DuckDB casts back.
 */

/** A column's SQL type. JSON columns and timestamps travel as text and are cast on the way in. */
export type ColumnType = 'VARCHAR' | 'DOUBLE' | 'INTEGER' | 'BIGINT' | 'BOOLEAN' | 'TIMESTAMPTZ' | 'JSON';

/** What a cell may hold: JSON columns take their text (already serialised). */
export type Cell = string | number | boolean | Date | null;

export interface BulkStatement {
  sql: string;
  /** The `$1` of `sql`: the rows as JSON, column by column. */
  document: string;
}

/** Rows per statement are capped by size so one parameter never nears V8's string limit. */
const MAX_DOCUMENT_CHARS = 32 * 1024 * 1024;

const transportType: Record<ColumnType, string> = {
  VARCHAR: 'VARCHAR',
  DOUBLE: 'DOUBLE',
  INTEGER: 'INTEGER',
  BIGINT: 'BIGINT',
  BOOLEAN: 'BOOLEAN',
  TIMESTAMPTZ: 'VARCHAR',
  JSON: 'VARCHAR',
};

function encode(cell: Cell): string | number | boolean | null {
  if (cell instanceof Date) return cell.toISOString();
  if (typeof cell === 'number' && !Number.isFinite(cell)) return String(cell);
  return cell;
}

/** Rough size of a cell in the JSON document, to keep statements bounded. */
function approximateChars(cell: Cell): number {
  return typeof cell === 'string' ? cell.length + 8 : 24;
}

const quoted = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

function statementFor(table: string, names: readonly string[], types: readonly ColumnType[], replace: boolean): string {
  const structure = JSON.stringify(Object.fromEntries(types.map((type, i) => [`c${i}`, `${transportType[type]}[]`])));
  const values = types.map((type, i) => (transportType[type] === type ? `unnest(t.c${i})` : `unnest(t.c${i})::${type}`));
  return (
    `INSERT ${replace ? 'OR REPLACE ' : ''}INTO ${quoted(table)} (${names.map(quoted).join(', ')}) ` +
    `SELECT ${values.join(', ')} FROM (SELECT from_json($1, '${structure}') AS t)`
  );
}

/**
 * The statements inserting `rows` (cells in the order of `columns`) into `table`; several when the
 * rows are large. `replace`: INSERT OR REPLACE, for tables whose key may already be there.
 */
export function bulkInsertStatements(
  table: string,
  columns: Readonly<Record<string, ColumnType>>,
  rows: readonly (readonly Cell[])[],
  options: { replace?: boolean } = {},
): BulkStatement[] {
  const names = Object.keys(columns);
  const types = Object.values(columns);
  const sql = statementFor(table, names, types, options.replace ?? false);
  const statements: BulkStatement[] = [];
  let data: (string | number | boolean | null)[][] = types.map(() => []);
  let chars = 0;
  const flush = () => {
    statements.push({ sql, document: JSON.stringify(Object.fromEntries(data.map((values, i) => [`c${i}`, values]))) });
    data = types.map(() => []);
    chars = 0;
  };
  for (const row of rows) {
    if (row.length !== names.length) throw new Error(`${table}: a row has ${row.length} cells for ${names.length} columns`);
    for (let i = 0; i < row.length; i++) {
      const cell = row[i] as Cell;
      (data[i] as unknown[]).push(encode(cell));
      chars += approximateChars(cell);
    }
    if (chars >= MAX_DOCUMENT_CHARS) flush();
  }
  if ((data[0]?.length ?? 0) > 0) flush();
  return statements;
}
