import path from 'node:path';
import { indexTag, readDatasetText, RecordCollector, splitLines, type LoadedRecords } from '../records.js';
import { randomInt, seededRandom } from '../seeded.js';
import type { SpecOf } from '../spec.js';

/**
 * Cuts a raw log into consecutive chunks of a random length in [min_lines, max_lines], as FPT AI
 * Studio's `split_log.py` does (fpt-corp/ai-studio a2439f1, tutorials/log-tracking-and-alert-using-qwen3):
 * chunk text = its lines joined and stripped; the last chunk may be shorter. Our PRNG is seeded, so the
 * chunks are the same on every run (FPT's used Python's unseeded `random`).
 */
export async function loadLoghubChunks(file: string, idPrefix: string, spec: SpecOf<'loghub-chunks'>): Promise<LoadedRecords> {
  const lines = splitLines(await readDatasetText(file));
  const records = new RecordCollector(file, spec.skip_invalid);
  const random = seededRandom(spec.seed);
  for (let chunk = 0, start = 0; start < lines.length && (spec.count === undefined || chunk < spec.count); chunk++) {
    const length = randomInt(random, spec.min_lines, spec.max_lines);
    const chunkLines = lines.slice(start, start + length);
    const input = chunkLines.join('\n').trim();
    if (input === '') {
      records.reject({ line: start + 1 }, `chunk ${chunk} (${chunkLines.length} lines) is blank`);
    } else {
      records.add({
        id: `${idPrefix}-c${indexTag(chunk)}`,
        input,
        meta: { file: path.basename(file), first_line: start + 1, last_line: start + chunkLines.length, lines: chunkLines.length },
      });
    }
    start += length;
  }
  return records;
}
