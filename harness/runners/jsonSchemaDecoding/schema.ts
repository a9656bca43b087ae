/**
 * Compiles the JSON Schema subset that constrained decoding follows into the automaton's nodes
 * (./automaton.ts): object (properties written in declared order, `required`; only declared
 * properties are written, whatever `additionalProperties` says), array (`items`, `minItems`,
 * `maxItems`), string (`minLength`, `maxLength`), integer / number (`minimum`, `maximum`), boolean,
 * null, `enum` / `const`, `$ref` into `$defs` / `definitions`, and `anyOf` or a list of types whose
 * branches start with different characters (`["string", "null"]`). Anything else is refused with
 * the keyword and where it sits: decoding that ignored a keyword could write documents that fail it.
 */
import { acceptsDocument, NUMBER_MAX_DIGITS, type SchemaNode } from './automaton.js';

export class UnsupportedSchemaError extends Error {
  override name = 'UnsupportedSchemaError';
}

/** Keywords that only describe: they change no valid document. */
const ANNOTATIONS = new Set(['title', 'description', '$schema', '$id', '$comment', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly', '$defs', 'definitions']);
/** Keywords honoured, by the type they constrain (`additionalProperties` is honoured by writing declared properties only). */
const CONSTRAINTS = new Set(['type', 'enum', 'const', '$ref', 'anyOf', 'properties', 'required', 'additionalProperties', 'items', 'minItems', 'maxItems', 'minLength', 'maxLength', 'minimum', 'maximum']);
const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean', 'null']);
const LARGEST_INTEGER = 10 ** NUMBER_MAX_DIGITS - 1;

type Schema = Record<string, unknown>;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const encoder = new TextEncoder();

/** The automaton for documents valid against `schema`; throws UnsupportedSchemaError naming the keyword and its JSON pointer. */
export function compileJsonSchema(schema: Schema): SchemaNode {
  return new Compiler(schema).compile(schema, '');
}

class Compiler {
  /** Compiled `$ref` targets, so recursive schemas compile to a cyclic graph. */
  private readonly refs = new Map<string, SchemaNode>();
  private readonly resolving = new Set<string>();

  constructor(private readonly root: Schema) {}

  /** `register` receives an object or array node before its children compile (a `$ref` target's cycle closes through it). */
  compile(schema: unknown, at: string, register?: (shell: SchemaNode) => void): SchemaNode {
    const where = at || '/';
    if (!isSchema(schema)) throw new UnsupportedSchemaError(`${where}: a schema must be an object (true/false schemas are not supported)`);
    for (const keyword of Object.keys(schema)) {
      if (!ANNOTATIONS.has(keyword) && !CONSTRAINTS.has(keyword)) throw new UnsupportedSchemaError(`${where}: unsupported keyword '${keyword}'`);
    }
    if (schema.$ref !== undefined) {
      if (Object.keys(schema).some((keyword) => CONSTRAINTS.has(keyword) && keyword !== '$ref')) throw new UnsupportedSchemaError(`${where}: '$ref' beside other constraints is not supported`);
      return this.ref(schema.$ref, where);
    }
    if (schema.anyOf !== undefined) {
      if (!Array.isArray(schema.anyOf) || schema.anyOf.length === 0) throw new UnsupportedSchemaError(`${where}: 'anyOf' must be a non-empty list`);
      if (Object.keys(schema).some((keyword) => CONSTRAINTS.has(keyword) && keyword !== 'anyOf')) throw new UnsupportedSchemaError(`${where}: 'anyOf' beside other constraints is not supported`);
      return union(
        schema.anyOf.map((branch, index) => this.compile(branch, `${at}/anyOf/${index}`)),
        where,
      );
    }
    if (schema.enum !== undefined || schema.const !== undefined) return literal(schema, where, (rest) => this.compile(rest, at));
    const type = schema.type ?? (schema.properties !== undefined ? 'object' : schema.items !== undefined ? 'array' : undefined);
    if (Array.isArray(type)) {
      if (type.length === 0) throw new UnsupportedSchemaError(`${where}: 'type' must not be an empty list`);
      return union(
        type.map((one) => this.typed(schema, one, at)),
        where,
      );
    }
    if (type === undefined) throw new UnsupportedSchemaError(`${where}: a schema needs 'type' (or 'enum', 'const', '$ref', 'anyOf')`);
    return this.typed(schema, type, at, register);
  }

  private ref(ref: unknown, where: string): SchemaNode {
    const match = typeof ref === 'string' ? /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref) : null;
    if (match === null) throw new UnsupportedSchemaError(`${where}: '$ref' must point into #/$defs or #/definitions, got ${JSON.stringify(ref)}`);
    const key = ref as string;
    const known = this.refs.get(key);
    if (known !== undefined) return known;
    const [, section = '', name = ''] = match;
    const defs = this.root[section];
    const target = isSchema(defs) ? defs[name.replaceAll('~1', '/').replaceAll('~0', '~')] : undefined;
    if (target === undefined) throw new UnsupportedSchemaError(`${where}: '$ref' ${key} names no definition`);
    if (this.resolving.has(key)) throw new UnsupportedSchemaError(`${where}: '$ref' ${key} refers to itself without an object or array in between`);
    this.resolving.add(key);
    const node = this.compile(target, `/${section}/${name}`, (shell) => {
      this.refs.set(key, shell);
      this.resolving.delete(key);
    });
    this.resolving.delete(key);
    this.refs.set(key, node);
    return node;
  }

  private typed(schema: Schema, type: unknown, at: string, register?: (shell: SchemaNode) => void): SchemaNode {
    const where = at || '/';
    if (typeof type !== 'string' || !TYPES.has(type)) throw new UnsupportedSchemaError(`${where}: unsupported type ${JSON.stringify(type)}`);
    switch (type) {
      case 'object': {
        const properties = schema.properties ?? {};
        if (!isSchema(properties)) throw new UnsupportedSchemaError(`${where}: 'properties' must be an object`);
        const required = schema.required ?? [];
        if (!Array.isArray(required) || required.some((name) => typeof name !== 'string')) throw new UnsupportedSchemaError(`${where}: 'required' must be a list of names`);
        const missing = required.find((name) => !(name in properties));
        if (missing !== undefined) throw new UnsupportedSchemaError(`${where}: required property '${missing}' is not in 'properties'`);
        const node: SchemaNode = { kind: 'object', properties: [], required: [] };
        register?.(node);
        for (const [name, value] of Object.entries(properties)) {
          node.properties.push({ name, key: encoder.encode(JSON.stringify(name)), value: this.compile(value, `${at}/properties/${name}`) });
          node.required.push(required.includes(name));
        }
        return node;
      }
      case 'array': {
        if (schema.items === undefined) throw new UnsupportedSchemaError(`${where}: an array needs 'items'`);
        const minItems = count(schema, 'minItems', 0, where);
        const maxItems = count(schema, 'maxItems', Number.POSITIVE_INFINITY, where);
        if (minItems > maxItems) throw new UnsupportedSchemaError(`${where}: 'minItems' is above 'maxItems'`);
        const node = { kind: 'array', items: undefined as unknown as SchemaNode, minItems, maxItems } satisfies SchemaNode;
        register?.(node);
        node.items = this.compile(schema.items, `${at}/items`);
        return node;
      }
      case 'string': {
        const minLength = count(schema, 'minLength', 0, where);
        const maxLength = count(schema, 'maxLength', Number.POSITIVE_INFINITY, where);
        if (minLength > maxLength) throw new UnsupportedSchemaError(`${where}: 'minLength' is above 'maxLength'`);
        return { kind: 'string', minLength, maxLength };
      }
      case 'integer':
      case 'number': {
        const bound = type === 'integer' ? LARGEST_INTEGER : Number.POSITIVE_INFINITY;
        const minimum = Math.max(-bound, type === 'integer' ? Math.ceil(limit(schema, 'minimum', -bound, where)) : limit(schema, 'minimum', -bound, where));
        const maximum = Math.min(bound, type === 'integer' ? Math.floor(limit(schema, 'maximum', bound, where)) : limit(schema, 'maximum', bound, where));
        if (minimum > maximum) throw new UnsupportedSchemaError(`${where}: no ${type} of at most ${NUMBER_MAX_DIGITS} digits lies between 'minimum' and 'maximum'`);
        return { kind: type, minimum, maximum };
      }
      case 'boolean':
        return { kind: 'literal', values: [encoder.encode('true'), encoder.encode('false')] };
      default:
        return { kind: 'literal', values: [encoder.encode('null')] };
    }
  }
}

function count(schema: Schema, keyword: string, fallback: number, where: string): number {
  const value = schema[keyword];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new UnsupportedSchemaError(`${where}: '${keyword}' must be a non-negative integer`);
  return value;
}

function limit(schema: Schema, keyword: string, fallback: number, where: string): number {
  const value = schema[keyword];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new UnsupportedSchemaError(`${where}: '${keyword}' must be a number`);
  return value;
}

/** `enum` / `const`: the values, compact, that also satisfy the schema's other keywords. */
function literal(schema: Schema, where: string, compileRest: (rest: Schema) => SchemaNode): SchemaNode {
  if (schema.enum !== undefined && schema.const !== undefined) throw new UnsupportedSchemaError(`${where}: 'enum' beside 'const' is not supported`);
  if (schema.enum !== undefined && (!Array.isArray(schema.enum) || schema.enum.length === 0)) throw new UnsupportedSchemaError(`${where}: 'enum' must be a non-empty list`);
  const values: unknown[] = schema.enum !== undefined ? (schema.enum as unknown[]) : [schema.const];
  const { enum: _enum, const: _const, ...rest } = schema;
  const constrained = Object.keys(rest).some((keyword) => CONSTRAINTS.has(keyword));
  const check = constrained ? compileRest(rest) : null;
  const texts = [...new Set(values.map((value) => JSON.stringify(value)))].filter((text) => check === null || acceptsDocument(check, text));
  if (texts.length === 0) throw new UnsupportedSchemaError(`${where}: no value of '${schema.enum !== undefined ? 'enum' : 'const'}' satisfies the schema's other keywords`);
  return { kind: 'literal', values: texts.map((text) => encoder.encode(text)) };
}

/** Branches told apart by their first byte; two that may start alike are refused (the automaton follows one path). */
function union(branches: SchemaNode[], where: string): SchemaNode {
  const byFirstByte = new Map<number, SchemaNode>();
  branches.forEach((branch, index) => {
    for (const byte of firstBytes(branch)) {
      if (byFirstByte.has(byte)) throw new UnsupportedSchemaError(`${where}: alternatives that may both start with '${String.fromCharCode(byte)}' are not supported (branch ${index})`);
      byFirstByte.set(byte, branch);
    }
  });
  return { kind: 'union', byFirstByte };
}

function firstBytes(node: SchemaNode): number[] {
  switch (node.kind) {
    case 'object':
      return [0x7b];
    case 'array':
      return [0x5b];
    case 'string':
      return [0x22];
    case 'integer':
    case 'number':
      return [...'-0123456789'].map((char) => char.charCodeAt(0));
    case 'literal':
      return [...new Set(node.values.map((value) => value[0] as number))];
    case 'union':
      return [...node.byFirstByte.keys()];
  }
}
