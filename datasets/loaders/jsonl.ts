import path from 'node:path';
import { z } from 'zod';
import { fileStem, indexTag, readDatasetText, RecordCollector, splitLines, type LoadedRecords } from '../records.js';
import { AnomalyClassValue } from '../labels.js';
import type { SpecOf } from '../spec.js';

const IdValue = z.union([z.string().min(1), z.int()]).transform(String);

/** One JSON object a line; the spec names which fields are input, reference, label and id. Blank lines are ignored. */
export async function loadJsonl(file: string, spec: SpecOf<'jsonl'>): Promise<LoadedRecords> {
  const shape: Record<string, z.ZodType> = { [spec.input_field]: z.string() };
  if (spec.reference_field) shape[spec.reference_field] = z.string();
  if (spec.label_field) shape[spec.label_field] = AnomalyClassValue;
  if (spec.id_field) shape[spec.id_field] = IdValue;
  const JsonlRecord = z.looseObject(shape);

  const records = new RecordCollector(file, spec.skip_invalid);
  const idPrefix = fileStem(file);
  const firstLineOfId = new Map<string, number>();
  splitLines(await readDatasetText(file)).forEach((text, index) => {
    const where = { line: index + 1 };
    if (text.trim() === '') return;
    const record = records.parseJsonLine(JsonlRecord, text, where);
    if (!record) return;
    const field = (name: string | undefined): string | undefined => (name === undefined ? undefined : (record[name] as string));
    const id = field(spec.id_field) ?? `${idPrefix}-${indexTag(index)}`;
    const seenAt = firstLineOfId.get(id);
    if (seenAt !== undefined) return records.reject(where, `field "${spec.id_field}": duplicate id ${JSON.stringify(id)} (first on line ${seenAt})`);
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
  });
  return records;
}
