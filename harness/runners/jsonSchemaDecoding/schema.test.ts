import { describe, expect, it } from 'vitest';
import { acceptsDocument } from './automaton.js';
import { compileJsonSchema, MAX_ENUM_VALUES, MAX_SCHEMA_DEPTH, UnsupportedSchemaError } from './schema.js';

/** The message compileJsonSchema refuses `schema` with. */
function refusal(schema: Record<string, unknown>): string {
  try {
    compileJsonSchema(schema);
  } catch (error) {
    expect(error).toBeInstanceOf(UnsupportedSchemaError);
    return (error as Error).message;
  }
  throw new Error('the schema compiled');
}

describe('compileJsonSchema refuses schemas without a finite document under the decoder limits (#15 review)', () => {
  it('refuses a number bound beyond the 15 integer digits or between two 6-decimal values, naming the pointer', () => {
    expect(refusal({ type: 'object', properties: { v: { type: 'number', minimum: 1e20 } }, required: ['v'] })).toBe(
      "/properties/v: no number of at most 15 digits and 6 decimals lies between 'minimum' and 'maximum'",
    );
    expect(refusal({ type: 'number', maximum: -1e15 })).toMatch(/^\/: no number of at most 15 digits/);
    expect(refusal({ type: 'number', minimum: 0.0000001, maximum: 0.0000009 })).toMatch(/^\/: no number /);
    // The limits' own edges stay writable.
    expect(acceptsDocument(compileJsonSchema({ type: 'number', minimum: 999999999999999, maximum: 999999999999999 }), '999999999999999')).toBe(true);
    expect(acceptsDocument(compileJsonSchema({ type: 'number', minimum: 0.1, maximum: 0.1 }), '0.1')).toBe(true);
  });

  it('refuses a $ref that requires itself and an array of itself with minItems ≥ 1, naming where it loops', () => {
    expect(refusal({ $defs: { A: { type: 'array', items: { $ref: '#/$defs/A' }, minItems: 1 } }, $ref: '#/$defs/A' })).toBe(
      '/$defs/A: no finite document satisfies this schema: /$defs/A requires itself (through required properties or minItems ≥ 1), so decoding could only stop cut at max_tokens',
    );
    const node = { type: 'object', properties: { next: { $ref: '#/$defs/Node' } }, required: ['next'] };
    expect(refusal({ type: 'object', properties: { head: { $ref: '#/$defs/Node' } }, $defs: { Node: node }, required: ['head'] })).toMatch(/^\/: no finite document satisfies this schema: \/\$defs\/Node requires itself/);
  });

  it('keeps recursive schemas that can stop: an optional property, minItems 0, or a branch out', () => {
    const tree = compileJsonSchema({ $defs: { T: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/$defs/T' } } }, required: ['children'] } }, $ref: '#/$defs/T' });
    expect(acceptsDocument(tree, '{"children":[{"children":[]}]}')).toBe(true);
    const list = compileJsonSchema({ $defs: { L: { type: 'object', properties: { next: { $ref: '#/$defs/L' } } } }, $ref: '#/$defs/L' });
    expect(acceptsDocument(list, '{"next":{"next":{}}}')).toBe(true);
    const optional = compileJsonSchema({ $defs: { L: { type: 'object', properties: { next: { anyOf: [{ type: 'null' }, { $ref: '#/$defs/L' }] } }, required: ['next'] } }, $ref: '#/$defs/L' });
    expect(acceptsDocument(optional, '{"next":{"next":null}}')).toBe(true);
  });

  it(`refuses nesting deeper than ${MAX_SCHEMA_DEPTH} levels with its location, not a stack overflow`, () => {
    let deep: Record<string, unknown> = { type: 'null' };
    for (let level = 0; level < 100_000; level++) deep = { type: 'array', items: deep };
    const message = refusal(deep);
    expect(message).toMatch(new RegExp(`^(/items){${MAX_SCHEMA_DEPTH}}: the schema is nested deeper than ${MAX_SCHEMA_DEPTH} levels$`));
  });

  it(`refuses an enum of more than ${MAX_ENUM_VALUES} values`, () => {
    const values = Array.from({ length: MAX_ENUM_VALUES + 1 }, (_, i) => `value-${i}`);
    expect(refusal({ type: 'object', properties: { e: { enum: values } } })).toBe(`/properties/e: 'enum' has ${MAX_ENUM_VALUES + 1} values; at most ${MAX_ENUM_VALUES} are supported`);
    expect(acceptsDocument(compileJsonSchema({ enum: values.slice(0, MAX_ENUM_VALUES) }), '"value-9999"')).toBe(true);
  });
});
