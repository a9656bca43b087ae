/**
 * LogLLM's input preprocessing (guanwei49/LogLLM bf66b1c, customDataset.py): `replace_patterns` masks
 * every variable-looking span of a window's text as `<*>`, then the window is split into its messages
 * on ' ;-; ' and the collator keeps the first `max_seq_len` of them. The training script's Python
 * copy (tools/train/logllm_data.py) records its output in models/<name>/reference_logits.json, and
 * the tests hold this port to it.
 *
 * One deliberate difference: the patterns run without the `u` flag, so `\b`, `\w`, `\d` are ASCII
 * (LogLLM's Python `re` is Unicode-aware); the two agree on ASCII logs, which loghub's are.
 */

/** LogLLM joins a window's messages with this separator (datasets' loghub-windows loader does too). */
export const LOGLLM_MESSAGE_SEPARATOR = ' ;-; ';

const DOT_RUN = /[.]{3,}/g;

/** LogLLM's patterns, in its order: the alternation takes the first that matches at each position. */
const VARIABLE_PATTERNS: readonly string[] = [
  String.raw`True`,
  String.raw`true`,
  String.raw`False`,
  String.raw`false`,
  String.raw`\b(zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion)\b`,
  String.raw`\b(Mon|Monday|Tue|Tuesday|Wed|Wednesday|Thu|Thursday|Fri|Friday|Sat|Saturday|Sun|Sunday)\b`,
  String.raw`\b(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|Jun(?:e)?|Jul(?:y)?|Aug(?:ust)?|Sep(?:tember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\s+(\d{1,2})\s+\b`,
  String.raw`\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(:\d{1,5})?`, // IPv4 with optional port
  String.raw`([0-9A-Fa-f]{2}:){11}[0-9A-Fa-f]{2}`, // 12-byte MAC
  String.raw`([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}`, // MAC
  String.raw`[a-zA-Z0-9]*[:\.]*([/\\]+[^/\\\s\[\]]+)+[/\\]*`, // file path
  String.raw`\b[0-9a-fA-F]{8}\b`,
  String.raw`\b[0-9a-fA-F]{10}\b`,
  String.raw`(\w+[\w\.]*)@(\w+[\w\.]*)\-(\w+[\w\.]*)`,
  String.raw`(\w+[\w\.]*)@(\w+[\w\.]*)`,
  String.raw`[a-zA-Z\.\:\-\_]*\d[a-zA-Z0-9\.\:\-\_]*`, // any word holding a digit
];

const VARIABLE = new RegExp(VARIABLE_PATTERNS.join('|'), 'g');

/** LogLLM's `replace_patterns`: runs of three or more dots become '.. ', then each variable '<*>'. */
export function maskLogVariables(text: string): string {
  return text.replace(DOT_RUN, '.. ').replace(VARIABLE, '<*>');
}

/** A window's messages as LogLLM feeds them to BERT: masked, split on the separator, at most `maxMessages`. */
export function logllmMessages(windowText: string, maxMessages: number, separator: string = LOGLLM_MESSAGE_SEPARATOR): string[] {
  return maskLogVariables(windowText).split(separator).slice(0, maxMessages);
}
