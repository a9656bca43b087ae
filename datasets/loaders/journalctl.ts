import path from 'node:path';
import { z } from 'zod';
import { fileStem, fixedWindows, indexTag, lineSpan, readDatasetText, RecordCollector, splitLines, type LoadedRecords } from '../records.js';
import type { SpecOf } from '../spec.js';

/** `journalctl -o short`: `Mon DD HH:MM:SS host identifier[pid]: message`. */
const SHORT_LINE = /^[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2} \S+ [^\s:[]+(?:\[\d+\])?:(?: .*)?$/;
/** journalctl's own markers (`-- Boot 1a2b… --`, `-- No entries --`), not log entries. */
const MARKER_LINE = /^-- .* --$/;

/** Fields of `journalctl -o json` we use. MESSAGE is an array of bytes when it is not valid UTF-8. */
const JournalEntry = z.object({
  MESSAGE: z.union([z.string(), z.array(z.int().min(0).max(255)).transform((bytes) => new TextDecoder().decode(Uint8Array.from(bytes)))]),
  PRIORITY: z.string().regex(/^[0-7]$/, 'expected a syslog priority "0".."7"').transform(Number),
  __REALTIME_TIMESTAMP: z.string().regex(/^\d+$/, 'expected microseconds since the epoch'),
  _HOSTNAME: z.string().optional(),
  SYSLOG_IDENTIFIER: z.string().optional(),
  _COMM: z.string().optional(),
  _PID: z.string().optional(),
});
type JournalEntry = z.infer<typeof JournalEntry>;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The entry as `journalctl -o short` prints it, in UTC so the text does not depend on the machine's zone. */
function shortLine(entry: JournalEntry): string {
  const at = new Date(Number(BigInt(entry.__REALTIME_TIMESTAMP) / 1000n));
  const day = String(at.getUTCDate()).padStart(2, '0');
  const identifier = entry.SYSLOG_IDENTIFIER ?? entry._COMM;
  const source = [entry._HOSTNAME, identifier && (entry._PID ? `${identifier}[${entry._PID}]` : identifier)].filter(Boolean).join(' ');
  return `${MONTHS[at.getUTCMonth()]} ${day} ${at.toISOString().slice(11, 19)} ${source}: ${entry.MESSAGE}`;
}

/** Default for `max_priority`: EMERG..WARNING, the levels ALSATE analyses (L0-L4). */
const ALSATE_MAX_PRIORITY = 4;

/**
 * journalctl output, `window` entries per sample (one line each, as ALSATE sends them). With
 * `format: json` only entries with PRIORITY <= max_priority are kept.
 */
export async function loadJournalctl(file: string, spec: SpecOf<'journalctl'>): Promise<LoadedRecords> {
  const records = new RecordCollector(file, spec.skip_invalid);
  const maxPriority = spec.max_priority ?? ALSATE_MAX_PRIORITY;
  const entries: { line: number; text: string }[] = [];
  splitLines(await readDatasetText(file)).forEach((text, index) => {
    const where = { line: index + 1 };
    if (text.trim() === '') return;
    if (spec.format === 'short') {
      if (MARKER_LINE.test(text)) return;
      if (!SHORT_LINE.test(text)) return records.reject(where, 'not a journalctl -o short line ("Mon DD HH:MM:SS host identifier[pid]: message")');
      entries.push({ line: where.line, text });
      return;
    }
    const entry = records.parseJsonLine(JournalEntry, text, where);
    if (entry && entry.PRIORITY <= maxPriority) entries.push({ line: where.line, text: shortLine(entry) });
  });
  const idPrefix = fileStem(file);
  fixedWindows(entries, spec.window, spec.window).forEach((window, index) => {
    records.add({
      id: `${idPrefix}-w${indexTag(index)}`,
      input: window.map((e) => e.text).join('\n'),
      meta: { file: path.basename(file), ...lineSpan(window) },
    });
  });
  return records;
}
