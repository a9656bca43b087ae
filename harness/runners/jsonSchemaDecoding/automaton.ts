/**
 * A byte-level pushdown automaton for the JSON documents a compiled schema (./schema.ts) allows,
 * in the compact form (no whitespace anywhere): `step` takes one UTF-8 byte and answers the next
 * state or null when no valid document starts that way; `canEnd` says the document may stop here.
 * States are immutable, so one state can be tried against every token of a vocabulary.
 *
 * Bytes, not characters: byte-level BPE tokens may hold half a UTF-8 character, and a string's
 * content is checked as UTF-8 (no overlong forms, no surrogates) so the text decodes losslessly.
 */

/** What the automaton follows: a JSON Schema subset, compiled (./schema.ts). */
export type SchemaNode = ObjectNode | ArrayNode | StringNode | NumberNode | LiteralNode | UnionNode;

export interface ObjectNode {
  kind: 'object';
  /** In declared order, the order they are written in. */
  properties: { name: string; key: Uint8Array; value: SchemaNode }[];
  required: boolean[];
}
export interface ArrayNode {
  kind: 'array';
  items: SchemaNode;
  minItems: number;
  maxItems: number;
}
export interface StringNode {
  kind: 'string';
  /** In code points, as JSON Schema counts them. */
  minLength: number;
  maxLength: number;
}
export interface NumberNode {
  kind: 'integer' | 'number';
  minimum: number;
  maximum: number;
}
/** enum, const, boolean and null: the compact JSON text of each allowed value. */
export interface LiteralNode {
  kind: 'literal';
  values: Uint8Array[];
}
/** anyOf / a list of types: branches told apart by their first byte. */
export interface UnionNode {
  kind: 'union';
  byFirstByte: Map<number, SchemaNode>;
}

/**
 * Numbers are written without exponent, with at most this many integer digits (so integers stay
 * exact as JavaScript numbers) and NUMBER_MAX_DECIMALS decimals: every document ends in bounded tokens.
 */
export const NUMBER_MAX_DIGITS = 15;
export const NUMBER_MAX_DECIMALS = 6;
const LARGEST_WRITTEN = 10 ** NUMBER_MAX_DIGITS - 1;

type Frame =
  | { t: 'end' }
  | { t: 'value'; node: SchemaNode }
  | { t: 'object'; node: ObjectNode; next: number; stage: 'open' | 'key' | 'colon' | 'after'; afterComma: boolean; keyPos: number; candidates: number[] }
  | { t: 'array'; node: ArrayNode; count: number; stage: 'open' | 'after' | 'need' }
  | { t: 'string'; node: StringNode; count: number; escape: number; hex1: number; continuation: number; low: number; high: number }
  | { t: 'number'; node: NumberNode; text: string }
  | { t: 'literal'; node: LiteralNode; pos: number; alive: number[] };

/** The automaton's state: a stack of frames, top first. */
export interface JsonState {
  readonly frame: Frame;
  readonly below: JsonState | null;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const DOT = 0x2e;
const ESCAPES = new Set([...'"\\/bfnrt'].map((c) => c.charCodeAt(0)));

export function initialState(root: SchemaNode): JsonState {
  return { frame: { t: 'value', node: root }, below: { frame: { t: 'end' }, below: null } };
}

function push(frame: Frame, below: JsonState | null): JsonState {
  return { frame, below };
}

/** The state after `byte`, or null when no document of the schema continues that way. */
export function step(state: JsonState, byte: number): JsonState | null {
  const { frame, below } = state;
  switch (frame.t) {
    case 'end':
      return null;
    case 'value':
      return startValue(frame.node, byte, below);
    case 'object':
      return stepObject(frame, byte, below);
    case 'array':
      return stepArray(frame, byte, below);
    case 'string':
      return stepString(frame, byte, below);
    case 'number':
      return stepNumber(frame, byte, below);
    case 'literal':
      return stepLiteral(frame, byte, below);
  }
}

/** Whether the document may end here (the end-of-sequence token is allowed). */
export function canEnd(state: JsonState): boolean {
  const { frame, below } = state;
  if (frame.t === 'end') return true;
  if (below === null) return false;
  if (frame.t === 'number') return numberComplete(frame.node, frame.text) && canEnd(below);
  if (frame.t === 'literal') return literalComplete(frame) && canEnd(below);
  return false;
}

/**
 * Inside a string, between characters: how many more characters fit (Infinity without maxLength);
 * null anywhere else. There a token of plain ASCII text (no quote, backslash or control character)
 * is allowed exactly when its length fits, which spares the mask walking those tokens byte by byte.
 */
export function plainTextRoom(state: JsonState): number | null {
  const { frame } = state;
  if (frame.t !== 'string' || frame.escape !== 0 || frame.continuation !== 0) return null;
  return frame.node.maxLength - frame.count;
}

/** Whether `byte` is plain ASCII text inside a JSON string (see plainTextRoom). */
export function isPlainTextByte(byte: number): boolean {
  return byte >= 0x20 && byte < 0x7f && byte !== QUOTE && byte !== BACKSLASH;
}

/** Runs `text` (UTF-8) through the automaton: the state after it, or null. */
export function advance(state: JsonState | null, bytes: Uint8Array): JsonState | null {
  let current = state;
  for (const byte of bytes) {
    if (current === null) return null;
    current = step(current, byte);
  }
  return current;
}

/** Whether `text` is a whole document the automaton accepts. */
export function acceptsDocument(root: SchemaNode, text: string): boolean {
  const state = advance(initialState(root), new TextEncoder().encode(text));
  return state !== null && canEnd(state);
}

function startValue(node: SchemaNode, byte: number, below: JsonState | null): JsonState | null {
  switch (node.kind) {
    case 'object':
      return byte === 0x7b ? push({ t: 'object', node, next: 0, stage: 'open', afterComma: false, keyPos: 0, candidates: [] }, below) : null;
    case 'array':
      return byte === 0x5b ? push({ t: 'array', node, count: 0, stage: 'open' }, below) : null;
    case 'string':
      return byte === QUOTE ? push({ t: 'string', node, count: 0, escape: 0, hex1: 0, continuation: 0, low: 0, high: 0 }, below) : null;
    case 'integer':
    case 'number':
      return stepNumber({ t: 'number', node, text: '' }, byte, below);
    case 'literal':
      return stepLiteral({ t: 'literal', node, pos: 0, alive: node.values.map((_, index) => index) }, byte, below);
    case 'union': {
      const branch = node.byFirstByte.get(byte);
      return branch === undefined ? null : startValue(branch, byte, below);
    }
  }
}

// ── object ─────────────────────────────────────────────────────────────────────────────────────

/** Properties that may come next: the following ones up to and including the first required one. */
function keyCandidates(node: ObjectNode, next: number): number[] {
  const candidates: number[] = [];
  for (let index = next; index < node.properties.length; index++) {
    candidates.push(index);
    if (node.required[index]) break;
  }
  return candidates;
}

function requiredLeft(node: ObjectNode, next: number): boolean {
  for (let index = next; index < node.required.length; index++) if (node.required[index]) return true;
  return false;
}

function stepObject(frame: Extract<Frame, { t: 'object' }>, byte: number, below: JsonState | null): JsonState | null {
  const { node } = frame;
  switch (frame.stage) {
    case 'open':
      if (byte === 0x7d && !frame.afterComma && !requiredLeft(node, frame.next)) return below;
      return matchKey({ ...frame, stage: 'key', keyPos: 0, candidates: keyCandidates(node, frame.next) }, byte, below);
    case 'key':
      return matchKey(frame, byte, below);
    case 'colon': {
      const chosen = frame.candidates[0] as number;
      const property = node.properties[chosen];
      if (byte !== COLON || property === undefined) return null;
      return push({ t: 'value', node: property.value }, push({ ...frame, next: chosen + 1, stage: 'after', candidates: [] }, below));
    }
    case 'after':
      if (byte === COMMA && frame.next < node.properties.length) return push({ ...frame, stage: 'open', afterComma: true }, below);
      if (byte === 0x7d && !requiredLeft(node, frame.next)) return below;
      return null;
  }
}

function matchKey(frame: Extract<Frame, { t: 'object' }>, byte: number, below: JsonState | null): JsonState | null {
  const { properties } = frame.node;
  const candidates = frame.candidates.filter((index) => properties[index]?.key[frame.keyPos] === byte);
  if (candidates.length === 0) return null;
  const keyPos = frame.keyPos + 1;
  // Keys are written with both quotes, so a complete key is a prefix of no other.
  const complete = candidates.find((index) => properties[index]?.key.length === keyPos);
  if (complete !== undefined) return push({ ...frame, stage: 'colon', keyPos, candidates: [complete] }, below);
  return push({ ...frame, keyPos, candidates }, below);
}

// ── array ──────────────────────────────────────────────────────────────────────────────────────

function stepArray(frame: Extract<Frame, { t: 'array' }>, byte: number, below: JsonState | null): JsonState | null {
  const { node } = frame;
  if (frame.stage === 'after') {
    if (byte === COMMA && frame.count < node.maxItems) return push({ ...frame, stage: 'need' }, below);
    if (byte === 0x5d && frame.count >= node.minItems) return below;
    return null;
  }
  if (frame.stage === 'open' && byte === 0x5d) return node.minItems === 0 ? below : null;
  if (frame.count >= node.maxItems) return null;
  return startValue(node.items, byte, push({ ...frame, count: frame.count + 1, stage: 'after' }, below));
}

// ── string ─────────────────────────────────────────────────────────────────────────────────────

function isHex(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66);
}

/** A UTF-8 lead byte: how many continuation bytes follow and the range of the first (RFC 3629). */
function utf8Lead(byte: number): [continuation: number, low: number, high: number] | null {
  if (byte >= 0xc2 && byte <= 0xdf) return [1, 0x80, 0xbf];
  if (byte === 0xe0) return [2, 0xa0, 0xbf];
  if (byte === 0xed) return [2, 0x80, 0x9f];
  if (byte >= 0xe1 && byte <= 0xef) return [2, 0x80, 0xbf];
  if (byte === 0xf0) return [3, 0x90, 0xbf];
  if (byte >= 0xf1 && byte <= 0xf3) return [3, 0x80, 0xbf];
  if (byte === 0xf4) return [3, 0x80, 0x8f];
  return null;
}

function stepString(frame: Extract<Frame, { t: 'string' }>, byte: number, below: JsonState | null): JsonState | null {
  const { node } = frame;
  if (frame.continuation > 0) {
    if (byte < frame.low || byte > frame.high) return null;
    return push({ ...frame, continuation: frame.continuation - 1, low: 0x80, high: 0xbf }, below);
  }
  if (frame.escape === 1) {
    if (byte === 0x75) return push({ ...frame, escape: 2 }, below);
    return ESCAPES.has(byte) ? push({ ...frame, escape: 0 }, below) : null;
  }
  if (frame.escape >= 2) {
    if (!isHex(byte)) return null;
    // \uD800–\uDFFF would be half a surrogate pair: one escape, one code point.
    const first = frame.escape === 2 ? byte | 0x20 : frame.hex1;
    if (frame.escape === 3 && first === 0x64 && byte >= 0x38) return null;
    return push({ ...frame, escape: frame.escape === 5 ? 0 : frame.escape + 1, hex1: first }, below);
  }
  if (byte === QUOTE) return frame.count >= node.minLength ? below : null;
  if (byte < 0x20 || frame.count >= node.maxLength) return null;
  if (byte === BACKSLASH) return push({ ...frame, count: frame.count + 1, escape: 1 }, below);
  if (byte < 0x80) return push({ ...frame, count: frame.count + 1 }, below);
  const lead = utf8Lead(byte);
  if (lead === null) return null;
  return push({ ...frame, count: frame.count + 1, continuation: lead[0], low: lead[1], high: lead[2] }, below);
}

// ── number ─────────────────────────────────────────────────────────────────────────────────────

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

/** Whether `text` (a prefix of `-?(0|[1-9][0-9]*)(\.[0-9]+)?`) can still become a number in range. */
function numberViable(node: NumberNode, text: string): boolean {
  const negative = text.startsWith('-');
  const [integer = '', fraction] = (negative ? text.slice(1) : text).split('.');
  const { minimum, maximum } = node;
  // Without bounds tighter than the digit limit every prefix the grammar allows can be finished.
  if (minimum <= -LARGEST_WRITTEN && maximum >= LARGEST_WRITTEN) return true;
  // The magnitudes reachable from here as [low, high) intervals (integers: [low, high]).
  const intervals: [number, number][] = [];
  const exclusive = node.kind === 'number';
  if (integer === '') {
    intervals.push([0, exclusive ? 10 ** NUMBER_MAX_DIGITS : 10 ** NUMBER_MAX_DIGITS - 1]);
  } else if (fraction !== undefined) {
    const value = Number(`${integer}.${fraction || '0'}`);
    intervals.push(fraction.length >= NUMBER_MAX_DECIMALS ? [value, value] : [value, value + 10 ** -fraction.length]);
  } else if (integer === '0') {
    intervals.push(exclusive ? [0, 1] : [0, 0]);
  } else {
    const prefix = Number(integer);
    for (let extra = 0; integer.length + extra <= NUMBER_MAX_DIGITS; extra++) {
      const scale = 10 ** extra;
      intervals.push(exclusive ? [prefix * scale, (prefix + 1) * scale] : [prefix * scale, (prefix + 1) * scale - 1]);
    }
  }
  return intervals.some(([low, high]) => {
    const point = low === high || !exclusive;
    if (negative) return point ? -high <= maximum && -low >= minimum : -high < maximum && -low >= minimum;
    return point ? low <= maximum && high >= minimum : low <= maximum && high > minimum;
  });
}

function numberComplete(node: NumberNode, text: string): boolean {
  if (text === '' || !isDigit(text.charCodeAt(text.length - 1))) return false;
  const value = Number(text);
  return value >= node.minimum && value <= node.maximum;
}

function stepNumber(frame: Extract<Frame, { t: 'number' }>, byte: number, below: JsonState | null): JsonState | null {
  const { node, text } = frame;
  const extended = extendNumber(node, text, byte);
  if (extended !== null && numberViable(node, extended)) return push({ ...frame, text: extended }, below);
  // Any other byte ends the number, and belongs to what follows it.
  if (below !== null && numberComplete(node, text)) return step(below, byte);
  return null;
}

/** `text` with `byte` appended when the grammar allows it there (before range checks), else null. */
function extendNumber(node: NumberNode, text: string, byte: number): string | null {
  const char = String.fromCharCode(byte);
  const body = text.startsWith('-') ? text.slice(1) : text;
  if (text === '') return byte === MINUS || isDigit(byte) ? char : null;
  const dot = body.indexOf('.');
  if (dot === -1) {
    if (body === '') return isDigit(byte) ? text + char : null;
    if (byte === DOT) return node.kind === 'number' ? text + char : null;
    if (!isDigit(byte) || body === '0' || body.length >= NUMBER_MAX_DIGITS) return null;
    return text + char;
  }
  return isDigit(byte) && body.length - dot - 1 < NUMBER_MAX_DECIMALS ? text + char : null;
}

// ── literal ────────────────────────────────────────────────────────────────────────────────────

function literalComplete(frame: Extract<Frame, { t: 'literal' }>): boolean {
  return frame.alive.some((index) => frame.node.values[index]?.length === frame.pos);
}

function stepLiteral(frame: Extract<Frame, { t: 'literal' }>, byte: number, below: JsonState | null): JsonState | null {
  const alive = frame.alive.filter((index) => frame.node.values[index]?.[frame.pos] === byte);
  if (alive.length > 0) return push({ ...frame, pos: frame.pos + 1, alive }, below);
  // A finished value (`1` of enum [1, 12]) ends here; the byte belongs to what follows.
  if (below !== null && literalComplete(frame)) return step(below, byte);
  return null;
}
