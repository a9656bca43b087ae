import path from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';
import { InputRecordError } from '../../core/io/jsonl.js';
import { anomalyClassOf, notALabel } from '../labels.js';
import { fileStem, indexTag, readDatasetText, RecordCollector, type LoadedRecords } from '../records.js';

const REQUIRED_COLUMNS = ['Content', 'Label'];

/**
 * LogLLM's window CSV (`prepareData/sliding_window.py` output, `eval.py` input): `Content` is the
 * window's messages joined by ' ;-; ', `Label` is 0 (normal) or 1 (anomalous), read by the one label rule of
 * every loader (labels.ts). Quoting is strict.
 */
export async function loadLogllmCsv(file: string, skipInvalid: boolean): Promise<LoadedRecords> {
  const text = await readDatasetText(file);
  const records = new RecordCollector(file, skipInvalid);
  let lastSkippedLine = -1;
  let rows: { record: Record<string, string>; info: { lines: number; records: number } }[];
  try {
    rows = parse(text, {
      columns: (header: string[]) => {
        const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
        if (missing.length) throw new InputRecordError(file, 1, `header lacks column(s) ${missing.join(', ')} (has ${header.join(', ')})`);
        return header;
      },
      info: true,
      skip_records_with_error: skipInvalid,
      on_skip: (err) => {
        // csv-parse may report one malformed record more than once: count it once.
        if (!err || err.lines === lastSkippedLine) return;
        lastSkippedLine = err.lines as number;
        records.reject({ line: lastSkippedLine }, err.message);
      },
    });
  } catch (err) {
    if (err instanceof CsvError) throw new InputRecordError(file, err.lines as number, err.message);
    throw err;
  }
  const idPrefix = fileStem(file);
  for (const { record, info } of rows) {
    const row = info.records - 1;
    const where = { line: info.lines, row };
    const label = anomalyClassOf(record.Label);
    if (label === undefined) {
      records.reject(where, `field "Label": ${notALabel(record.Label)}`);
      continue;
    }
    if (!record.Content) {
      records.reject(where, 'field "Content": empty');
      continue;
    }
    records.add({
      id: `${idPrefix}-${indexTag(row)}`,
      input: record.Content,
      label,
      meta: { file: path.basename(file), row, line: info.lines },
    });
  }
  return records;
}
