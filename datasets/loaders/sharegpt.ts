import path from 'node:path';
import { z } from 'zod';
import { InputRecordError } from '../../core/io/jsonl.js';
import { extractInput, inputFrameOf } from '../../prompts/frame.js';
import { indexTag, readDatasetText, readJsonFile, RecordCollector, type LoadedRecords } from '../records.js';

const ShareGptRecord = z.object({
  conversations: z.array(z.object({ from: z.string(), value: z.string() })).min(1),
});

export interface ShareGptOptions {
  file: string;
  idPrefix: string;
  skipInvalid: boolean;
  /** Prompt template file: the human turn must be it rendered around the logs, and the logs become the input. */
  stripPromptFile?: string;
}

/**
 * A JSON array of `{conversations: [{from, value}, ...]}`. Input is the first human turn, reference
 * the first gpt turn after it.
 */
export async function loadShareGpt(options: ShareGptOptions): Promise<LoadedRecords> {
  const { file, idPrefix, stripPromptFile } = options;
  const frame = stripPromptFile === undefined ? undefined : inputFrameOf(await readDatasetText(stripPromptFile), stripPromptFile);
  const document = await readJsonFile(file);
  if (!Array.isArray(document)) throw new InputRecordError(file, undefined, 'expected a JSON array of ShareGPT records');
  const records = new RecordCollector(file, options.skipInvalid);
  document.forEach((raw: unknown, index) => {
    const where = { record: index };
    const record = records.parse(ShareGptRecord, raw, where);
    if (!record) return;
    const turns = record.conversations;
    const humanAt = turns.findIndex((t) => t.from === 'human');
    const human = turns[humanAt];
    if (!human) return records.reject(where, 'field "conversations": no human turn');
    const gpt = turns.slice(humanAt + 1).find((t) => t.from === 'gpt');
    if (!gpt) return records.reject(where, 'field "conversations": no gpt turn after the human turn');
    let input = human.value;
    if (frame) {
      const extracted = extractInput(human.value, frame);
      if ('mismatch' in extracted) return records.reject(where, `field "conversations.${humanAt}.value": does not match strip_prompt ${stripPromptFile}: ${extracted.mismatch}`);
      input = extracted.input;
    }
    records.add({
      id: `${idPrefix}-${indexTag(index)}`,
      input,
      reference: gpt.value,
      meta: { file: path.basename(file), record: index },
    });
  });
  return records;
}
