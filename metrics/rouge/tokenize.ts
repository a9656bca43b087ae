/**
 * The rouge_score 0.1.2 tokenizer (`rouge_score/tokenize.py`, used by `DefaultTokenizer`):
 * lowercase, replace every run of `[^a-z0-9]` by a space, split, Porter-stem tokens longer than
 * 3 characters when stemming, keep tokens matching `^[a-z0-9]+$`.
 *
 * JS `toLowerCase()` and Python `str.lower()` agree on every code point whose lowercase form
 * contains an ASCII letter or digit (checked over all of Unicode: besides A-Z only U+0130 'İ' ->
 * 'i' + U+0307 and U+212A Kelvin sign -> 'k'), so the tokens are identical.
 */
import { PorterStemmer } from './porter.js';

export interface TokenizeOptions {
  /** Porter-stem (NLTK_EXTENSIONS, as rouge_score's `use_stemmer=True`) tokens longer than 3 chars. */
  stem?: boolean;
}

/** Receives a text's token ids in order, and the line breaks between them. */
export interface TokenSink {
  push(id: number): void;
  endLine(): void;
}

const rougeStemmer = new PorterStemmer('NLTK_EXTENSIONS');

/** rouge_score's stemming step: only words longer than 3 characters are stemmed. */
function stemRougeToken(token: string): string {
  return token.length > 3 ? rougeStemmer.stem(token) : token;
}

/**
 * Log text brings an open vocabulary (hex ids, host names, numbers): past this many distinct raw
 * tokens an interner starts afresh at its next `trim()`, which keeps memory flat.
 */
export const RAW_TOKEN_LIMIT = 1 << 17;
const EMPTY = -1;

/**
 * Maps rouge_score tokens to dense integer ids, without building a string per occurrence: an
 * open-addressing table hashes the characters of each lowercased run in place, and only a token
 * seen for the first time is sliced out and stemmed. Raw tokens that stem alike share one id.
 * Ids stay valid until the next `trim()`, so a caller trims between pairs, never within one.
 */
export class RougeTokenInterner {
  readonly stem: boolean;
  private slots = new Int32Array(1 << 12).fill(EMPTY);
  private slotHashes = new Int32Array(1 << 12);
  private rawTokens: string[] = [];
  private rawToId = new Int32Array(1 << 10);
  private readonly idOfToken = new Map<string, number>();
  private readonly tokens: string[] = [];

  constructor(stem: boolean) {
    this.stem = stem;
  }

  /** Number of distinct ids handed out so far: every id is below it. */
  get vocabularySize(): number {
    return this.tokens.length;
  }

  /** The token an id stands for (stemmed when stemming). */
  tokenOf(id: number): string {
    const token = this.tokens[id];
    if (token === undefined) throw new RangeError(`unknown token id ${id}`);
    return token;
  }

  /** Forgets every token once the table has outgrown its bound; invalidates earlier ids then. */
  trim(): void {
    if (this.rawTokens.length < RAW_TOKEN_LIMIT) return;
    this.slots = new Int32Array(1 << 12).fill(EMPTY);
    this.slotHashes = new Int32Array(1 << 12);
    this.rawTokens = [];
    this.idOfToken.clear();
    this.tokens.length = 0;
  }

  /** Feeds the ids of `text`'s tokens to `sink`, with `endLine()` at each '\n'. */
  scan(text: string, sink: TokenSink): void {
    const lower = text.toLowerCase();
    const length = lower.length;
    let i = 0;
    while (i < length) {
      let c = lower.charCodeAt(i);
      if (!isTokenChar(c)) {
        if (c === 10) sink.endLine();
        i += 1;
        continue;
      }
      const start = i;
      let hash = 0;
      do {
        hash = (Math.imul(hash, 0x01000193) ^ c) | 0;
        i += 1;
        c = i < length ? lower.charCodeAt(i) : 0;
      } while (isTokenChar(c));
      const id = this.idOf(lower, start, i, hash);
      if (id !== EMPTY) sink.push(id);
    }
  }

  /** Id of the token lower[start, end); EMPTY when its stem is empty (rouge_score's final filter). */
  private idOf(lower: string, start: number, end: number, hash: number): number {
    const mask = this.slots.length - 1;
    const length = end - start;
    let slot = (hash ^ (hash >>> 15)) & mask;
    for (;;) {
      const raw = this.slots[slot]!;
      if (raw === EMPTY) break;
      if (this.slotHashes[slot] === hash && sameChars(this.rawTokens[raw]!, lower, start, length)) return this.rawToId[raw]!;
      slot = (slot + 1) & mask;
    }
    const rawToken = lower.slice(start, end);
    const token = this.stem ? stemRougeToken(rawToken) : rawToken;
    // `^[a-z0-9]+$` can only fail here on an empty stem: stems keep the token's own characters.
    let id: number = EMPTY;
    if (token.length > 0) {
      id = this.idOfToken.get(token) ?? this.tokens.length;
      if (id === this.tokens.length) {
        this.tokens.push(token);
        this.idOfToken.set(token, id);
      }
    }
    const raw = this.rawTokens.length;
    this.rawTokens.push(rawToken);
    if (raw >= this.rawToId.length) {
      const grown = new Int32Array(this.rawToId.length * 2);
      grown.set(this.rawToId);
      this.rawToId = grown;
    }
    this.rawToId[raw] = id;
    this.slots[slot] = raw;
    this.slotHashes[slot] = hash;
    if (this.rawTokens.length * 2 > this.slots.length) this.rehash();
    return id;
  }

  /** Doubles the table once it is half full, keeping probe chains short. */
  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(EMPTY);
    const slotHashes = new Int32Array(slots.length);
    const mask = slots.length - 1;
    for (let old = 0; old < this.slots.length; old += 1) {
      const raw = this.slots[old]!;
      if (raw === EMPTY) continue;
      const hash = this.slotHashes[old]!;
      let slot = (hash ^ (hash >>> 15)) & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = raw;
      slotHashes[slot] = hash;
    }
    this.slots = slots;
    this.slotHashes = slotHashes;
  }
}

/** [a-z0-9]: the characters rouge_score keeps after lowercasing. */
function isTokenChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}

function sameChars(token: string, text: string, start: number, length: number): boolean {
  if (token.length !== length) return false;
  for (let k = 0; k < length; k += 1) if (token.charCodeAt(k) !== text.charCodeAt(start + k)) return false;
  return true;
}

const interners = { plain: new RougeTokenInterner(false), stemmed: new RougeTokenInterner(true) };

/** The shared interner for a stemming mode (one each, so that their ids never mix). */
export function rougeTokenInterner(stem: boolean): RougeTokenInterner {
  return stem ? interners.stemmed : interners.plain;
}

/** rouge_score `tokenize.tokenize(text, stemmer)`. */
export function tokenize(text: string, options: TokenizeOptions = {}): string[] {
  const interner = rougeTokenInterner(options.stem ?? false);
  interner.trim();
  const tokens: string[] = [];
  interner.scan(text, { push: (id) => tokens.push(interner.tokenOf(id)), endLine: () => undefined });
  return tokens;
}
