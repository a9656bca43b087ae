/**
 * Compiles the JSON Schema subset that constrained decoding follows into the automaton's nodes
 * (./automaton.ts): object (properties written in declared order, `required`; only declared
 * properties are written, whatever `additionalProperties` says), array (`items`, `minItems`,
 * `maxItems`), string (`minLength`, `maxLength`), integer / number (`minimum`, `maximum`), boolean,
 * null, `enum` / `const`, `$ref` into `$defs` / `definitions`, and `anyOf` or a list of types whose
 * branches start with different characters (`["string", "null"]`). Anything else is refused with
 * the keyword and where it sits: decoding that ignored a keyword could write documents that fail it.
 */
import { acceptsDocument, NUMBER_MAX_DECIMALS, NUMBER_MAX_DIGITS, type SchemaNode } from './automaton.js';

export class UnsupportedSchemaError extends Error {
  override name = 'UnsupportedSchemaError';
}

/** Keywords that only describe: they change no valid document. */
const ANNOTATIONS = new Set(['title', 'description', '$schema', '$id', '$comment', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly', '$defs', 'definitions']);
/** Keywords honoured, by the type they constrain (`additionalProperties` is honoured by writing declared properties only). */
const CONSTRAINTS = new Set(['type', 'enum', 'const', '$ref', 'anyOf', 'properties', 'required', 'additionalProperties', 'items', 'minItems', 'maxItems', 'minLength', 'maxLength', 'minimum', 'maximum']);
const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean', 'null']);
const LARGEST_INTEGER = 10 ** NUMBER_MAX_DIGITS - 1;
/** Deeper schemas are refused with their location (compiling recurses once per level). */
export const MAX_SCHEMA_DEPTH = 64;
/** Larger enums are refused: each value is a path of the automaton and a check per decoding step. */
export const MAX_ENUM_VALUES = 10_000;

type Schema = Record<string, unknown>;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const encoder = new TextEncoder();

/** The automaton for documents valid against `schema`; throws UnsupportedSchemaError naming the keyword and its JSON pointer. */
export function compileJsonSchema(schema: Schema): SchemaNode {
  const compiler = new Compiler(schema);
  const root = compiler.compile(schema, '');
  assertProductive(root, compiler.locations);
  return root;
}

/** The children a node's documents must or may contain. */
function children(node: SchemaNode): SchemaNode[] {
  switch (node.kind) {
    case 'object':
      return node.properties.map((property) => property.value);
    case 'array':
      return [node.items];
    case 'union':
      return [...node.byFirstByte.values()];
    default:
      return [];
  }
}

/**
 * Refuses a schema with no finite document under the decoder's limits (a required property or a
 * `minItems` ≥ 1 array that leads back to itself): decoding it could only stop at `max_tokens`, cut.
 * The nodes with a finite document are found as a least fixed point over the (cyclic) node graph.
 */
function assertProductive(root: SchemaNode, locations: ReadonlyMap<SchemaNode, string>): void {
  const nodes: SchemaNode[] = [];
  const seen = new Set<SchemaNode>();
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    nodes.push(node);
    stack.push(...children(node));
  }
  const productive = new Set<SchemaNode>();
  const finite = (node: SchemaNode): boolean => {
    switch (node.kind) {
      case 'object':
        return node.properties.every((property, index) => !node.required[index] || productive.has(property.value));
      case 'array':
        return node.minItems === 0 || productive.has(node.items);
      case 'union':
        return [...node.byFirstByte.values()].some((branch) => productive.has(branch));
      default:
        return true;
    }
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const node of nodes) {
      if (!productive.has(node) && finite(node)) {
        productive.add(node);
        changed = true;
      }
    }
  }
  if (productive.has(root)) return;
  // Follow what forces the document on until it comes back: that is the part that requires itself.
  const path: SchemaNode[] = [];
  let node: SchemaNode | undefined = root;
  while (node !== undefined && !path.includes(node)) {
    path.push(node);
    const current: SchemaNode = node;
    node = current.kind === 'object' ? current.properties.find((property, index) => current.required[index] && !productive.has(property.value))?.value : current.kind === 'array' ? current.items : children(current)[0];
  }
  const where = (at: SchemaNode | undefined) => (at === undefined ? '/' : locations.get(at) || '/');
  throw new UnsupportedSchemaError(`${where(root)}: no finite document satisfies this schema: ${where(node)} requires itself (through required properties or minItems ≥ 1), so decoding could only stop cut at max_tokens`);
}

class Compiler {
  /** Compiled `$ref` targets, so recursive schemas compile to a cyclic graph. */
  private readonly refs = new Map<string, SchemaNode>();
  private readonly resolving = new Set<string>();
  /** Each compiled node's JSON pointer, for errors found after compiling. */
  readonly locations = new Map<SchemaNode, string>();
  private depth = 0;

  constructor(private readonly root: Schema) {}

  /** `register` receives an object or array node before its children compile (a `$ref` target's cycle closes through it). */
  compile(schema: unknown, at: string, register?: (shell: SchemaNode) => void): SchemaNode {
    const where = at || '/';
    if (this.depth >= MAX_SCHEMA_DEPTH) throw new UnsupportedSchemaError(`${where}: the schema is nested deeper than ${MAX_SCHEMA_DEPTH} levels`);
    this.depth++;
    try {
      const node = this.compileAt(schema, at, where, (shell) => {
        if (!this.locations.has(shell)) this.locations.set(shell, where);
        register?.(shell);
      });
      if (!this.locations.has(node)) this.locations.set(node, where);
      return node;
    } finally {
      this.depth--;
    }
  }

  private compileAt(schema: unknown, at: string, where: string, register: (shell: SchemaNode) => void): SchemaNode {
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
        // The decoder writes at most NUMBER_MAX_DIGITS integer digits and NUMBER_MAX_DECIMALS decimals: a range with no such number has no document.
        const scale = 10 ** NUMBER_MAX_DECIMALS;
        const writable = minimum < 10 ** NUMBER_MAX_DIGITS && maximum > -(10 ** NUMBER_MAX_DIGITS) && Math.ceil(minimum * scale - 1e-6) <= Math.floor(maximum * scale + 1e-6);
        if (minimum > maximum || !writable) {
          throw new UnsupportedSchemaError(`${where}: no ${type} of at most ${NUMBER_MAX_DIGITS} digits${type === 'number' ? ` and ${NUMBER_MAX_DECIMALS} decimals` : ''} lies between 'minimum' and 'maximum'`);
        }
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
  if (Array.isArray(schema.enum) && schema.enum.length > MAX_ENUM_VALUES) throw new UnsupportedSchemaError(`${where}: 'enum' has ${schema.enum.length} values; at most ${MAX_ENUM_VALUES} are supported`);
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
