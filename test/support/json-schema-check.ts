/**
 * A small JSON Schema validator for tests, written apart from harness/runners/jsonSchemaDecoding so
 * the decoder's output is checked by code that shares nothing with it: type, properties, required,
 * additionalProperties false, items, minItems/maxItems, minLength/maxLength (code points),
 * minimum/maximum, enum and local $ref. Returns the first violation as a JSON pointer, or null.
 */
type Schema = Record<string, unknown>;

export function schemaViolation(value: unknown, schema: Schema, root: Schema = schema, at = ''): string | null {
  if (typeof schema.$ref === 'string') {
    const target = schema.$ref.replace(/^#\//, '').split('/').reduce<unknown>((node, key) => (node as Schema | undefined)?.[key], root);
    return schemaViolation(value, target as Schema, root, at);
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) return `${at}: not in enum`;
  const type = schema.type as string | undefined;
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (type !== undefined && type !== actual && !(type === 'number' && actual === 'integer')) return `${at}: ${actual} where ${type} belongs`;
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) return `${at}: below minimum`;
    if (typeof schema.maximum === 'number' && value > schema.maximum) return `${at}: above maximum`;
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof schema.minLength === 'number' && length < schema.minLength) return `${at}: shorter than minLength`;
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) return `${at}: longer than maxLength`;
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) return `${at}: fewer than minItems`;
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) return `${at}: more than maxItems`;
    for (const [index, item] of value.entries()) {
      const problem = schema.items === undefined ? null : schemaViolation(item, schema.items as Schema, root, `${at}/${index}`);
      if (problem !== null) return problem;
    }
  }
  if (actual === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const name of (schema.required ?? []) as string[]) if (!(name in object)) return `${at}: missing required ${name}`;
    for (const [name, item] of Object.entries(object)) {
      const property = properties[name];
      if (property === undefined) {
        if (schema.additionalProperties === false) return `${at}: unexpected property ${name}`;
        continue;
      }
      const problem = schemaViolation(item, property, root, `${at}/${name}`);
      if (problem !== null) return problem;
    }
  }
  return null;
}

/** Null when `text` parses as JSON valid against `schema`; else why not. */
export function documentViolation(text: string, schema: Schema): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  return schemaViolation(value, schema);
}

/**
 * FPT's response schema (prompts/fpt_response_schema.json: $defs, $ref, titles, required) with the
 * bounds a tiny model needs to finish a document within a small token budget.
 */
export const BOUNDED_FPT_SCHEMA: Schema = {
  $defs: {
    ResponseMessages: {
      properties: {
        critical: { items: { type: 'integer', minimum: 1, maximum: 8 }, maxItems: 3, title: 'Critical', type: 'array' },
        warning: { items: { type: 'integer', minimum: 1, maximum: 8 }, maxItems: 3, title: 'Warning', type: 'array' },
      },
      required: ['critical', 'warning'],
      additionalProperties: false,
      title: 'ResponseMessages',
      type: 'object',
    },
  },
  properties: {
    risk_score: { title: 'Risk Score', type: 'integer', minimum: 0, maximum: 10 },
    should_alert_user: { title: 'Should Alert User', type: 'boolean' },
    messages: { $ref: '#/$defs/ResponseMessages' },
    summary: { items: { type: 'string', maxLength: 48 }, maxItems: 2, title: 'Summary', type: 'array' },
  },
  required: ['risk_score', 'should_alert_user', 'messages', 'summary'],
  additionalProperties: false,
  title: 'Response',
  type: 'object',
};
