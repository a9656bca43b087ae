import path from 'node:path';
import { AutoTokenizer, type PreTrainedTokenizer } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { advance, canEnd, initialState, type JsonState, type SchemaNode } from './automaton.js';
import { compileJsonSchema } from './schema.js';
import { JsonSchemaMask, markAllowedTokens, tokenTable, type TokenTable } from './tokenMask.js';

const MODEL = path.resolve(import.meta.dirname, '../../../models/alsate-rules-lm-tiny');
const EOS = 1;
const encoder = new TextEncoder();

const schema = compileJsonSchema({
  type: 'object',
  properties: { score: { type: 'integer', minimum: 0, maximum: 10 }, note: { type: 'string', maxLength: 8 } },
  required: ['score', 'note'],
});

/** The tokens the mask allows (trie walk, plain-text shortcut in strings), and the ones a token-by-token check allows: they must agree. */
function allowedBothWays(table: TokenTable, state: JsonState): [number[], number[]] {
  const allowed = new Uint8Array(table.bytes.length);
  markAllowedTokens(table, state, allowed);
  const walked = [...allowed.keys()].filter((id) => allowed[id] === 1);
  const bruteForce = table.bytes.flatMap((bytes, id) => (bytes !== null && advance(state, bytes) !== null ? [id] : []));
  return [walked, bruteForce];
}

function stateAfter(root: SchemaNode, text: string | Uint8Array): JsonState {
  const state = advance(initialState(root), typeof text === 'string' ? encoder.encode(text) : text);
  if (state === null) throw new Error(`no state after ${String(text)}`);
  return state;
}

describe('the token mask with the shipped tiny LM tokenizer (byte-level BPE, 1,024 tokens)', () => {
  let tokenizer: PreTrainedTokenizer;
  let table: TokenTable;
  beforeAll(async () => {
    tokenizer = await AutoTokenizer.from_pretrained(MODEL, { local_files_only: true });
    table = tokenTable(tokenizer);
  });

  it("reads each token's bytes from the vocabulary, special tokens excluded", () => {
    expect(table.bytes).toHaveLength(1024);
    expect(table.bytes[EOS]).toBeNull();
    const spaced = tokenizer.encode(' Received', { add_special_tokens: false });
    expect(spaced).toHaveLength(1);
    expect(new TextDecoder().decode(table.bytes[spaced[0]!]!)).toBe(' Received');
    // A token standing for one byte of a two-byte character (é = c3 a9).
    const [half] = tokenizer.encode('é', { add_special_tokens: false });
    expect(table.bytes[half!]).toEqual(Uint8Array.of(0xc3));
  });

  it('allows exactly the tokens that continue the document, at every kind of position', () => {
    const euroHalf = Uint8Array.from([...encoder.encode('{"score":3,"note":"'), 0xe2, 0x82]);
    for (const prefix of ['', '{"score":', '{"score":1', '{"score":10,"note":"', '{"score":10,"note":"ab', '{"score":10,"note":"abcde', '{"score":3,"note":"12345678', '{"score":3,"note":"a\\', euroHalf]) {
      const [walked, bruteForce] = allowedBothWays(table, stateAfter(schema, prefix));
      expect(walked, String(prefix)).toEqual(bruteForce);
      expect(walked.length, String(prefix)).toBeGreaterThan(0);
    }
    // Mid-character, only tokens opening with a continuation byte fit (the vocabulary's 64 single-byte ones); the closing quote does not.
    const [walked] = allowedBothWays(table, stateAfter(schema, euroHalf));
    expect(walked).toHaveLength(64);
    expect(walked.every((id) => table.bytes[id]!.length === 1 && table.bytes[id]![0]! >= 0x80 && table.bytes[id]![0]! <= 0xbf)).toBe(true);
  });

  it('masks logits in place, and once the document is complete allows only the end token', () => {
    const rows = 2;
    const prompt = tokenizer.encode('<|user|>\nx<|end|>\n<|assistant|>\n', { add_special_tokens: false }).map(BigInt);
    const mask = new JsonSchemaMask(schema, table, [EOS], rows, prompt.length);
    const logits = new Float32Array(rows * 1024).fill(1);
    const done = tokenizer.encode('{"score":3,"note":"ok"}', { add_special_tokens: false }).map(BigInt);
    mask.apply([prompt, [...prompt, ...done]], logits);
    const open = [...logits.subarray(0, 1024).keys()].filter((id) => logits[id] === 1);
    expect(open.length).toBeGreaterThan(0);
    expect(open.every((id) => table.bytes[id]?.[0] === 0x7b)).toBe(true);
    const finished = [...logits.subarray(1024).keys()].filter((id) => logits[1024 + id] === 1);
    expect(finished).toEqual([EOS]);
    expect(canEnd(stateAfter(schema, '{"score":3,"note":"ok"}'))).toBe(true);
  });

  it('refuses to follow a token it had masked', () => {
    const mask = new JsonSchemaMask(schema, table, [EOS], 1, 0);
    const [quote] = tokenizer.encode('"', { add_special_tokens: false });
    expect(() => mask.apply([[BigInt(quote!)]], new Float32Array(1024))).toThrow(/ruled it out/);
  });

  it('refuses a tokenizer that is not byte-level BPE', () => {
    const wordLevel = { all_special_ids: [0], get_vocab: () => new Map([['<unk>', 0], ['hello', 1]]) };
    expect(() => tokenTable(wordLevel)).toThrow(/byte-level BPE/);
  });
});
