import { InputRecordError } from './inputError.js';

/**
 * JSON text of a file that is not a dataset (a response-format schema, a run export). A suite may
 * point such a path at any file, so a syntax error names file:line:col and the kind of error only:
 * V8's own messages quote the text ("Unexpected token 'r', "root:x:0:0:..." is not valid JSON").
 */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const message = (err as Error).message;
    const at = /at position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : message.startsWith('Unexpected end') ? text.length : undefined;
    const before = offset === undefined ? undefined : text.slice(0, offset).split('\n');
    // The grammar part of the message, before any quoted text or position.
    const kind = message.startsWith('Unexpected token') ? 'unexpected character' : (message.split(/(?: in JSON)? at position|, "|^"/)[0] ?? '').trim();
    throw new InputRecordError(file, before?.length, `not valid JSON (${kind || 'syntax error'})`, before && (before.at(-1)?.length ?? 0) + 1);
  }
}
