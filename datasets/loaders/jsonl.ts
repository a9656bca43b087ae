import path from 'node:path';
import { z } from 'zod';
import { MAX_DATA_FILE_BYTES, MAX_LINE_BYTES, readInputLines } from '../../core/io/readInput.js';
import type { Sample } from '../../core/sample.js';
import { fileStem, indexTag, RecordCollector, type LoadedRecords } from '../records.js';
import { AnomalyClassValue } from '../labels.js';
import type { SpecOf } from '../spec.js';

const IdValue = z.union([z.string().min(1), z.int()]).transform(String);

/**
 * One JSON object a line; the spec names which fields are input, reference, label and id. Blank lines
 * are ignored. Read line by line: with a `sink` no sample is kept here, so a shard of a large file
 * holds only its own samples.
 */
export async function loadJsonl(file: string, spec: SpecOf<'jsonl'>, sink?: (sample: Sample) => void): Promise<LoadedRecords> {
  const shape: Record<string, z.ZodType> = { [spec.input_field]: z.string() };
  if (spec.reference_field) shape[spec.reference_field] = z.string();
  if (spec.label_field) shape[spec.label_field] = AnomalyClassValue;
  if (spec.id_field) shape[spec.id_field] = IdValue;
  const JsonlRecord = z.looseObject(shape);

  const records = new RecordCollector(file, spec.skip_invalid, sink);
  const idPrefix = fileStem(file);
  const firstLineOfId = new Map<string, number>();
  for await (const { line, text } of readInputLines(file, MAX_LINE_BYTES, MAX_DATA_FILE_BYTES)) {
    const index = line - 1;
    const where = { line };
    if (text.trim() === '') continue;
    const record = records.parseJsonLine(JsonlRecord, text, where);
    if (!record) continue;
    const field = (name: string | undefined): string | undefined => (name === undefined ? undefined : (record[name] as string));
    const id = field(spec.id_field) ?? `${idPrefix}-${indexTag(index)}`;
    const seenAt = firstLineOfId.get(id);
    if (seenAt !== undefined) {
      records.reject(where, `field "${spec.id_field}": duplicate id ${JSON.stringify(id)} (first on line ${seenAt})`);
      continue;
    }
    firstLineOfId.set(id, where.line);
    const reference = field(spec.reference_field);
    const label = field(spec.label_field);
    records.add({
      id,
      input: record[spec.input_field] as string,
      ...(reference === undefined ? {} : { reference }),
      ...(label === undefined ? {} : { label }),
      meta: { file: path.basename(file), line: where.line },
    });
  }
  return records;
}
