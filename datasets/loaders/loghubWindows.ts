import path from 'node:path';
import { anomalyLabel } from '../labels.js';
import { fixedWindows, indexTag, lineSpan, readDatasetText, RecordCollector, splitLines, type LoadedRecords } from '../records.js';
import type { SpecOf } from '../spec.js';


/**
 * The regex loglizer/LogLLM's `generate_logformat_regex` builds: each `<Field>` a lazy group, each run
 * of spaces `\s+`, anchored at both ends.
 */
export function logFormatRegex(logFormat: string): RegExp {
  const source = logFormat
    .split(/(<[^<>]+>)/)
    .map((part, i) => (i % 2 === 1 ? `(?<${part.slice(1, -1)}>.*?)` : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ +/g, '\\s+')))
    .join('');
  return new RegExp(`^${source}$`);
}

/**
 * Fixed windows over a labelled loghub log, as LogLLM's `fixedSize_window` builds them: a line is
 * anomalous when its first field is not `-`, a window when any line is; the input is the windows'
 * `Content` fields joined by ' ;-; '. LogLLM drops lines its regex cannot parse; here they are errors.
 */
export async function loadLoghubWindows(file: string, idPrefix: string, logFormat: string, spec: SpecOf<'loghub-windows'>): Promise<LoadedRecords> {
  const regex = logFormatRegex(logFormat);
  const records = new RecordCollector(file, spec.skip_invalid);
  const parsed: { line: number; content: string; anomalous: 0 | 1 }[] = [];
  splitLines(await readDatasetText(file)).forEach((text, index) => {
    // LogLLM matches the stripped line.
    const groups = regex.exec(text.trim())?.groups;
    if (groups?.Label === undefined || groups.Content === undefined) {
      return records.reject({ line: index + 1 }, `does not match log_format ${JSON.stringify(logFormat)}`);
    }
    parsed.push({ line: index + 1, content: groups.Content, anomalous: groups.Label === '-' ? 0 : 1 });
  });
  fixedWindows(parsed, spec.window, spec.step ?? spec.window).forEach((lines, window) => {
    const anomalousLines = lines.filter((l) => l.anomalous === 1).length;
    records.add({
      id: `${idPrefix}-w${indexTag(window)}`,
      input: lines.map((l) => l.content).join(' ;-; '),
      label: anomalyLabel(anomalousLines > 0 ? 1 : 0),
      meta: { file: path.basename(file), ...lineSpan(lines), anomalous_lines: anomalousLines },
    });
  });
  return records;
}
