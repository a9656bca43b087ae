import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { acceptsDocument, advance, canEnd, initialState, type SchemaNode } from './automaton.js';
import { compileJsonSchema } from './schema.js';

const FPT = (JSON.parse(readFileSync(new URL('../../../prompts/fpt_response_schema.json', import.meta.url), 'utf8')) as { schema: Record<string, unknown> }).schema;

/** Whether `prefix` can still grow into a valid document. */
function viable(root: SchemaNode, prefix: string | Uint8Array): boolean {
  return advance(initialState(root), typeof prefix === 'string' ? new TextEncoder().encode(prefix) : prefix) !== null;
}

describe('the JSON automaton on the FPT response schema', () => {
  const fpt = compileJsonSchema(FPT);
  const valid = '{"risk_score":7,"should_alert_user":true,"messages":{"critical":[3,12],"warning":[]},"summary":["disk \\"sda\\" failed","ok é"]}';

  it('accepts a compact document and every prefix of it, and allows the end only at its end', () => {
    expect(acceptsDocument(fpt, valid)).toBe(true);
    for (let length = 0; length < valid.length; length++) {
      const state = advance(initialState(fpt), new TextEncoder().encode(valid.slice(0, length)));
      expect(state, valid.slice(0, length)).not.toBeNull();
      expect(canEnd(state!)).toBe(false);
    }
  });

  it('refuses prefixes no valid document starts with', () => {
    for (const invalid of [
      ' {', // whitespace: compact form only
      '{"summary"', // declared order: risk_score is required first
      '{"risk_score":7,"messages"', // skips the required should_alert_user
      '{"risk_score":7}', // closes with required properties missing
      '{"risk_score":7.5', // integer
      '{"risk_score":07', // leading zero
      '{"risk_score":"7"', // type
      '{"risk_score":1,"should_alert_user":yes',
      '{"risk_score":1,"should_alert_user":true,"messages":{"critical":[1,]',
      '{"risk_score":1,"should_alert_user":true,"messages":{"critical":["a"',
      '{"risk_score":1,"should_alert_user":true,"messages":{"critical":[],"warning":[]},"summary":["a\nb"', // raw control character
      '{"risk_score":1,"should_alert_user":true,"messages":{"critical":[],"warning":[]},"summary":["\\x"', // bad escape
      '{"risk_score":1,"should_alert_user":true,"messages":{"critical":[],"warning":[]},"summary":["\\ud800', // half a surrogate pair
      '{"risk_score":1,"should_alert_user":true,"messages":{"critical":[],"warning":[]},"summary":[]}x',
      '{"extra"',
    ]) {
      expect(viable(fpt, invalid), invalid).toBe(false);
    }
  });

  it('checks UTF-8 byte by byte: a partial character continues, an invalid byte does not', () => {
    const start = new TextEncoder().encode('{"risk_score":1,"should_alert_user":true,"messages":{"critical":[],"warning":[]},"summary":["');
    const euro = new TextEncoder().encode('€'); // e2 82 ac
    expect(viable(fpt, Uint8Array.from([...start, ...euro.slice(0, 2)]))).toBe(true);
    // The string cannot close mid-character.
    expect(viable(fpt, Uint8Array.from([...start, ...euro.slice(0, 2), 0x22]))).toBe(false);
    expect(viable(fpt, Uint8Array.from([...start, 0xc0, 0x80]))).toBe(false); // overlong
    expect(viable(fpt, Uint8Array.from([...start, 0xed, 0xa0, 0x80]))).toBe(false); // encoded surrogate
    expect(viable(fpt, Uint8Array.from([...start, 0x80]))).toBe(false); // lone continuation byte
  });
});

describe('the JSON automaton on the other keywords', () => {
  it('skips optional properties only forwards, and closes once the required ones are written', () => {
    const node = compileJsonSchema({ type: 'object', properties: { a: { type: 'null' }, b: { type: 'boolean' }, c: { type: 'null' } }, required: ['c'], additionalProperties: false });
    expect(acceptsDocument(node, '{"c":null}')).toBe(true);
    expect(acceptsDocument(node, '{"a":null,"c":null}')).toBe(true);
    expect(acceptsDocument(node, '{"b":false,"c":null}')).toBe(true);
    expect(viable(node, '{"b":true,"a"')).toBe(false);
    expect(viable(node, '{"a":null}')).toBe(false);
    expect(viable(node, '{"c":null,')).toBe(false); // nothing may follow the last property
    expect(acceptsDocument(compileJsonSchema({ type: 'object', properties: { a: { type: 'null' } } }), '{}')).toBe(true);
  });

  it('bounds arrays and strings, counting code points', () => {
    const node = compileJsonSchema({ type: 'array', items: { type: 'string', minLength: 1, maxLength: 2 }, minItems: 1, maxItems: 2 });
    expect(acceptsDocument(node, '["é€"]')).toBe(true);
    expect(acceptsDocument(node, '["a","\\n"]')).toBe(true);
    expect(viable(node, '[]')).toBe(false);
    expect(viable(node, '[""')).toBe(false);
    expect(viable(node, '["abc')).toBe(false);
    expect(viable(node, '["a","b",')).toBe(false);
  });

  it('keeps integers and numbers in range while they are written', () => {
    const integer = compileJsonSchema({ type: 'integer', minimum: 0, maximum: 10 });
    expect(['0', '7', '10'].every((text) => acceptsDocument(integer, text))).toBe(true);
    expect(viable(integer, '-1')).toBe(false);
    expect(acceptsDocument(integer, '-0')).toBe(true); // valid JSON, and 0 to a validator
    expect(viable(compileJsonSchema({ type: 'integer', minimum: 1 }), '-')).toBe(false);
    expect(viable(integer, '11')).toBe(false);
    expect(viable(integer, '1')).toBe(true); // 1 or 10
    const state = advance(initialState(integer), new TextEncoder().encode('1'));
    expect(canEnd(state!)).toBe(true);
    const number = compileJsonSchema({ type: 'number', minimum: -1.5, maximum: 2 });
    expect(['-1.5', '-1', '0.25', '2', '2.0', '1.999'].every((text) => acceptsDocument(number, text))).toBe(true);
    expect(viable(number, '-1.6')).toBe(false);
    expect(viable(number, '-2')).toBe(false);
    expect(viable(number, '2.1')).toBe(false);
    expect(viable(number, '1e')).toBe(false); // no exponent
    expect(acceptsDocument(number, '1.')).toBe(false);
    const above = compileJsonSchema({ type: 'integer', minimum: 20 });
    expect(viable(above, '1')).toBe(true); // 1x
    expect(acceptsDocument(above, '1')).toBe(false);
  });

  it('follows enum, const, $ref and first-character alternatives', () => {
    const level = compileJsonSchema({ enum: ['low', 'high', 1, 12, null] });
    expect(['"low"', '"high"', '1', '12', 'null'].every((text) => acceptsDocument(level, text))).toBe(true);
    expect(viable(level, '"lo"')).toBe(false);
    expect(viable(level, '2')).toBe(false);
    expect(acceptsDocument(compileJsonSchema({ type: 'string', enum: ['a', 1] }), '1')).toBe(false); // the type filters the enum
    expect(acceptsDocument(compileJsonSchema({ const: { a: [1] } }), '{"a":[1]}')).toBe(true);
    const optional = compileJsonSchema({ type: 'object', properties: { note: { anyOf: [{ type: 'string', maxLength: 3 }, { type: 'null' }] }, tags: { type: ['array', 'null'], items: { $ref: '#/$defs/Tag' } } }, required: ['note', 'tags'], $defs: { Tag: { enum: ['x', 'y'] } } });
    expect(acceptsDocument(optional, '{"note":null,"tags":["x","y"]}')).toBe(true);
    expect(acceptsDocument(optional, '{"note":"abc","tags":null}')).toBe(true);
    expect(viable(optional, '{"note":1')).toBe(false);
    expect(viable(optional, '{"note":null,"tags":["z"')).toBe(false);
  });

  it('follows a recursive $ref', () => {
    const tree = compileJsonSchema({ $ref: '#/$defs/Node', $defs: { Node: { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/Node' } } }, required: ['name'] } } });
    expect(acceptsDocument(tree, '{"name":"a","children":[{"name":"b","children":[{"name":"c"}]}]}')).toBe(true);
    expect(viable(tree, '{"name":"a","children":[{"children"')).toBe(false);
  });

  it('refuses what it cannot enforce, naming the keyword and where it sits', () => {
    expect(() => compileJsonSchema({ type: 'object', properties: { id: { type: 'string', pattern: '^a' } } })).toThrow("/properties/id: unsupported keyword 'pattern'");
    expect(() => compileJsonSchema({ type: 'string', format: 'date' })).toThrow("/: unsupported keyword 'format'");
    expect(() => compileJsonSchema({ oneOf: [{ type: 'string' }] })).toThrow("unsupported keyword 'oneOf'");
    expect(() => compileJsonSchema({ anyOf: [{ type: 'object' }, { type: 'object', properties: {} }] })).toThrow("both start with '{'");
    expect(() => compileJsonSchema({ type: 'array' })).toThrow("an array needs 'items'");
    expect(() => compileJsonSchema({ type: 'object', properties: {}, required: ['x'] })).toThrow("required property 'x'");
    expect(() => compileJsonSchema({ $ref: '#/$defs/Missing' })).toThrow('names no definition');
    expect(() => compileJsonSchema({ $ref: '#/$defs/A', $defs: { A: { $ref: '#/$defs/A' } } })).toThrow('refers to itself');
    expect(() => compileJsonSchema({ description: 'no type' })).toThrow("needs 'type'");
  });
});
