import { describe, expect, it } from 'vitest';
import { InputRecordError } from './inputError.js';
import { parseJsonFile } from './json.js';

const failure = (text: string): InputRecordError => {
  try {
    parseJsonFile(text, 'f.json');
  } catch (err) {
    expect(err).toBeInstanceOf(InputRecordError);
    return err as InputRecordError;
  }
  throw new Error('parsed');
};

describe('parseJsonFile', () => {
  it('parses JSON', () => {
    expect(parseJsonFile('{"a": [1, "b"]}', 'f.json')).toEqual({ a: [1, 'b'] });
  });

  it('names file:line:col and the kind of error, never the text V8 quotes', () => {
    expect(failure('root:x:0:0:SECRET:/root:/bin/bash').message).toBe('f.json: not valid JSON (unexpected character)');
    expect(failure('{"a": 1}\nSECRET trailing').message).toBe('f.json:2:1: not valid JSON (Unexpected non-whitespace character after JSON)');
    expect(failure('{"a": "SECRET').message).toBe('f.json:1:14: not valid JSON (Unterminated string)');
    expect(failure('').message).toBe('f.json:1:1: not valid JSON (Unexpected end of JSON input)');
  });
});
