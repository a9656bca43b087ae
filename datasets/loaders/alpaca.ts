import path from 'node:path';
import { z } from 'zod';
import { InputRecordError } from '../../core/io/jsonl.js';
import { fileStem, indexTag, readJsonFile, RecordCollector, type LoadedRecords } from '../records.js';

const AlpacaRecord = z.object({
  instruction: z.string(),
  input: z.string().default(''),
  output: z.string(),
});

/**
 * A JSON array of `{instruction, input?, output}`. The sample input is instruction and input joined by
 * a newline, as LLaMA-Factory's Alpaca converter builds the user turn; output is the reference.
 */
export async function loadAlpaca(file: string, skipInvalid: boolean): Promise<LoadedRecords> {
  const document = await readJsonFile(file);
  if (!Array.isArray(document)) throw new InputRecordError(file, undefined, 'expected a JSON array of Alpaca records');
  const records = new RecordCollector(file, skipInvalid);
  const idPrefix = fileStem(file);
  document.forEach((raw: unknown, index) => {
    const record = records.parse(AlpacaRecord, raw, { record: index });
    if (!record) return;
    records.add({
      id: `${idPrefix}-${indexTag(index)}`,
      input: [record.instruction, record.input].filter((part) => part !== '').join('\n'),
      reference: record.output,
      meta: { file: path.basename(file), record: index, instruction: record.instruction },
    });
  });
  return records;
}
