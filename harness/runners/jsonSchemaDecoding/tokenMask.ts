/**
 * The token-level side of `json_schema` decoding: each token's bytes, read once per tokenizer and
 * laid out as a trie, and a per-generation mask that sets to -Infinity the logits of every token
 * whose bytes cannot continue a valid document (./automaton.ts), and of all but the end-of-sequence
 * tokens once the document is complete. Walking the trie shares the automaton's work between
 * tokens with a common prefix and drops a whole subtree at its first invalid byte.
 */
import { advance, canEnd, initialState, isPlainTextByte, plainTextRoom, step, type JsonState, type SchemaNode } from './automaton.js';

/** What the mask needs of a transformers.js tokenizer. */
export interface DecodingTokenizer {
  get_vocab(): Map<string, number>;
  all_special_ids: number[];
}

interface TrieNode {
  /** Tokens whose bytes end here. */
  ids: number[];
  children: Map<number, TrieNode>;
}

/** Each token id's bytes (null: special, never written inside a document) and their tries. */
export interface TokenTable {
  bytes: (Uint8Array | null)[];
  /** Every token. */
  trie: TrieNode;
  /** Tokens of plain ASCII text (isPlainTextByte), by length: inside a string they need no walk. */
  plainByLength: number[][];
  /** The other tokens, walked inside a string. */
  notPlainTrie: TrieNode;
}

/**
 * GPT-2's byte-level alphabet: the printable character standing for each byte in a byte-level BPE
 * vocabulary (bytes that print as themselves, the rest shifted to U+0100 on).
 */
function byteLevelAlphabet(): Map<string, number> {
  const alphabet = new Map<string, number>();
  let shifted = 0;
  for (let byte = 0; byte < 256; byte++) {
    const printable = (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
    alphabet.set(String.fromCharCode(printable ? byte : 256 + shifted++), byte);
  }
  return alphabet;
}

const tables = new WeakMap<DecodingTokenizer, TokenTable>();

/**
 * The tokenizer's token table, built on first use. Byte-level BPE only (GPT-2, Qwen, Llama 3): its
 * vocabulary spells every token's exact bytes, half UTF-8 characters included, where decoding a
 * lone token of another tokenizer (SentencePiece drops a word's leading space) would not.
 */
export function tokenTable(tokenizer: DecodingTokenizer): TokenTable {
  const known = tables.get(tokenizer);
  if (known !== undefined) return known;
  const alphabet = byteLevelAlphabet();
  const vocab = tokenizer.get_vocab();
  if (![...alphabet.keys()].every((char) => vocab.has(char))) {
    throw new Error("json_schema decoding needs a byte-level BPE tokenizer (GPT-2, Qwen, Llama 3 style), and this model's vocabulary lacks its 256 byte tokens");
  }
  const special = new Set(tokenizer.all_special_ids);
  const bytes: (Uint8Array | null)[] = [];
  const trie: TrieNode = { ids: [], children: new Map() };
  const notPlainTrie: TrieNode = { ids: [], children: new Map() };
  const plainByLength: number[][] = [];
  for (const [token, id] of vocab) {
    const chars = [...token];
    if (special.has(id) || chars.length === 0 || !chars.every((char) => alphabet.has(char))) {
      bytes[id] = null;
      continue;
    }
    const tokenBytes = Uint8Array.from(chars, (char) => alphabet.get(char) as number);
    bytes[id] = tokenBytes;
    addToTrie(trie, tokenBytes, id);
    if (tokenBytes.every(isPlainTextByte)) (plainByLength[tokenBytes.length] ??= []).push(id);
    else addToTrie(notPlainTrie, tokenBytes, id);
  }
  const table = { bytes, trie, plainByLength, notPlainTrie };
  tables.set(tokenizer, table);
  return table;
}

function addToTrie(trie: TrieNode, tokenBytes: Uint8Array, id: number): void {
  let node = trie;
  for (const byte of tokenBytes) {
    let child = node.children.get(byte);
    if (child === undefined) {
      child = { ids: [], children: new Map() };
      node.children.set(byte, child);
    }
    node = child;
  }
  node.ids.push(id);
}

/** Marks in `allowed` every token that can continue `state`; returns how many. */
export function markAllowedTokens(table: TokenTable, state: JsonState, allowed: Uint8Array): number {
  const room = plainTextRoom(state);
  if (room === null) return walkTrie(table.trie, state, allowed);
  let count = 0;
  table.plainByLength.forEach((ids, length) => {
    if (length > room) return;
    for (const id of ids) {
      if (id < allowed.length) {
        allowed[id] = 1;
        count++;
      }
    }
  });
  return count + walkTrie(table.notPlainTrie, state, allowed);
}

function walkTrie(trie: TrieNode, state: JsonState, allowed: Uint8Array): number {
  let count = 0;
  for (const [byte, child] of trie.children) {
    const next = step(state, byte);
    if (next === null) continue;
    for (const id of child.ids) {
      if (id < allowed.length) {
        allowed[id] = 1;
        count++;
      }
    }
    count += walkTrie(child, next, allowed);
  }
  return count;
}

/**
 * One generation's mask: follows each row's generated tokens and masks its next-token logits.
 * Rows are the batch's left-padded prompts, all `promptWidth` tokens wide.
 */
export class JsonSchemaMask {
  private readonly states: (JsonState | 'finished')[];
  private readonly seen: number[];
  private allowed = new Uint8Array(0);

  constructor(
    root: SchemaNode,
    private readonly table: TokenTable,
    private readonly eos: readonly number[],
    rows: number,
    promptWidth: number,
  ) {
    if (eos.length === 0) throw new Error('json_schema decoding needs the model to have an end-of-sequence token');
    this.states = Array.from({ length: rows }, () => initialState(root));
    this.seen = Array.from({ length: rows }, () => promptWidth);
  }

  /** Masks `logits` (rows × vocabulary, row-major) in place, given every row's tokens so far. */
  apply(inputIds: readonly (readonly bigint[])[], logits: Float32Array): void {
    const vocabulary = logits.length / this.states.length;
    if (this.allowed.length !== vocabulary) this.allowed = new Uint8Array(vocabulary);
    const [firstEos] = this.eos as [number];
    this.states.forEach((_, row) => {
      const state = this.follow(row, inputIds[row] ?? []);
      const allowed = this.allowed;
      allowed.fill(0);
      if (state === 'finished') {
        // The runner cuts the answer at its first end token; what a finished row generates meanwhile is never read.
        allowed[firstEos] = 1;
      } else {
        const count = markAllowedTokens(this.table, state, allowed);
        // With no token left (cannot happen with all 256 byte tokens in the vocabulary), stop rather than write garbage.
        if (canEnd(state) || count === 0) for (const id of this.eos) allowed[id] = 1;
      }
      const offset = row * vocabulary;
      for (let id = 0; id < vocabulary; id++) if (allowed[id] === 0) logits[offset + id] = Number.NEGATIVE_INFINITY;
    });
  }

  /** The row's state after the tokens generated since the last call. */
  private follow(row: number, ids: readonly bigint[]): JsonState | 'finished' {
    let state = this.states[row] as JsonState | 'finished';
    for (let index = this.seen[row] as number; index < ids.length && state !== 'finished'; index++) {
      const id = Number(ids[index]);
      if (this.eos.includes(id)) {
        state = 'finished';
        break;
      }
      const bytes = this.table.bytes[id];
      const next = bytes === undefined || bytes === null ? null : advance(state, bytes);
      if (next === null) throw new Error(`json_schema decoding: token ${id} was generated although the mask ruled it out`);
      state = next;
    }
    this.states[row] = state;
    this.seen[row] = ids.length;
    return state;
  }
}
