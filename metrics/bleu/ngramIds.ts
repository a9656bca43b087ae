/**
 * Integer ids for a segment's tokens and n-grams, found through open-addressing tables over
 * reused typed arrays: the hot loop of BLEU's statistics, kept free of strings and `Map`s.
 */
import type { TokenSpans } from './tokenizer13a.js';

/**
 * Working arrays reused from segment to segment, one per role: allocating a typed array costs
 * microseconds, zeroing one nanoseconds. None outlives the (synchronous) counting of a segment.
 */
export const ScratchRole = {
  VocabularySlots: 0,
  VocabularyFirstStart: 1,
  VocabularyFirstEnd: 2,
  VocabularyHashes: 3,
  HypothesisIds: 4,
  NgramEntries: 5,
  OrderIndex: 6,
  HypothesisCounts: 7,
  ReferenceMax: 8,
  ReferenceCounts: 9,
  ReferenceIds: 10,
} as const;
const scratchBuffers: Int32Array[] = [];
/** Arrays above 4 MiB (the n-gram table from some 44,000 hypothesis tokens on) are allocated per call, not kept. */
const MAX_RETAINED_SCRATCH = 1 << 20;

/** The `role` array, at least `length` long, zeroed over [0, length). */
export function scratchArray(role: (typeof ScratchRole)[keyof typeof ScratchRole], length: number): Int32Array {
  if (length > MAX_RETAINED_SCRATCH) return new Int32Array(length);
  const buffer = scratchBuffers[role];
  if (buffer !== undefined && buffer.length >= length) return buffer.fill(0, 0, length);
  const grown = new Int32Array(Math.min(MAX_RETAINED_SCRATCH, Math.max(length, 2 * (buffer?.length ?? 0))));
  scratchBuffers[role] = grown;
  return grown;
}

/** Power-of-two slot count for an open-addressing table of at most `maxEntries` (load <= 1/2). */
function tableCapacity(maxEntries: number): number {
  let capacity = 16;
  while (capacity < 2 * maxEntries) capacity *= 2;
  return capacity;
}

/**
 * The hypothesis's distinct tokens, ids 1..size in first-occurrence order, found by the spans'
 * content hashes: no token strings, no `Map` (which would hash every fresh string again).
 */
export class HypothesisVocabulary {
  /** Token id per hypothesis position. */
  readonly ids: Int32Array;
  size = 0;
  private readonly text: string;
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** Indexed by token id: the span of its first occurrence and its hash. */
  private readonly firstStart: Int32Array;
  private readonly firstEnd: Int32Array;
  private readonly hashes: Int32Array;

  constructor({ text, starts, ends, hashes }: TokenSpans) {
    const length = starts.length;
    const capacity = tableCapacity(length);
    this.text = text;
    this.ids = scratchArray(ScratchRole.HypothesisIds, length);
    this.slots = scratchArray(ScratchRole.VocabularySlots, capacity);
    this.mask = capacity - 1;
    this.firstStart = scratchArray(ScratchRole.VocabularyFirstStart, length + 1);
    this.firstEnd = scratchArray(ScratchRole.VocabularyFirstEnd, length + 1);
    this.hashes = scratchArray(ScratchRole.VocabularyHashes, length + 1);
    for (let k = 0; k < length; k++) {
      const start = starts[k]!;
      const end = ends[k]!;
      const hash = hashes[k]!;
      const slot = this.findSlot(text, start, end, hash);
      let id = this.slots[slot]!;
      if (id === 0) {
        id = ++this.size;
        this.slots[slot] = id;
        this.firstStart[id] = start;
        this.firstEnd[id] = end;
        this.hashes[id] = hash;
      }
      this.ids[k] = id;
    }
  }

  /** The id of token `k` of `spans`, 0 when the hypothesis lacks it. */
  idOf({ text, starts, ends, hashes }: TokenSpans, k: number): number {
    return this.slots[this.findSlot(text, starts[k]!, ends[k]!, hashes[k]!)]!;
  }

  /** The slot holding this token's id, or the empty slot where it belongs (linear probing). */
  private findSlot(text: string, start: number, end: number, hash: number): number {
    let slot = (hash ^ (hash >>> 16)) & this.mask;
    for (let id = this.slots[slot]!; id !== 0; id = this.slots[slot]!) {
      if (this.hashes[id] === hash && this.sameToken(id, text, start, end)) return slot;
      slot = (slot + 1) & this.mask;
    }
    return slot;
  }

  private sameToken(id: number, text: string, start: number, end: number): boolean {
    const firstStart = this.firstStart[id]!;
    if (this.firstEnd[id]! - firstStart !== end - start) return false;
    for (let k = 0; k < end - start; k++) {
      if (this.text.charCodeAt(firstStart + k) !== text.charCodeAt(start + k)) return false;
    }
    return true;
  }
}

/**
 * Open-addressing map from (prefix n-gram id, token id) to the extended n-gram's id, 0 when absent.
 * A slot is 4 consecutive ints (prefix, token, id, unused), so a probe reads one cache line.
 */
export class NgramIdTable {
  private readonly entries: Int32Array;
  private readonly mask: number;

  constructor(maxEntries: number) {
    const capacity = tableCapacity(maxEntries);
    this.entries = scratchArray(ScratchRole.NgramEntries, 4 * capacity);
    this.mask = capacity - 1;
  }

  /** The offset of the slot holding (prefix, token), or of the empty slot where it belongs (linear probing). */
  private slot(prefix: number, token: number): number {
    let hash = Math.imul(prefix, 0x9e3779b1) ^ Math.imul(token, 0x85ebca77);
    hash ^= hash >>> 15;
    let slot = hash & this.mask;
    const entries = this.entries;
    while (entries[4 * slot] !== 0 && (entries[4 * slot] !== prefix || entries[4 * slot + 1] !== token)) {
      slot = (slot + 1) & this.mask;
    }
    return 4 * slot;
  }

  get(prefix: number, token: number): number {
    return this.entries[this.slot(prefix, token) + 2]!;
  }

  /** The id of (prefix, token), storing `newId` for it when absent. */
  getOrAdd(prefix: number, token: number, newId: number): number {
    const offset = this.slot(prefix, token);
    if (this.entries[offset] === 0) {
      this.entries[offset] = prefix;
      this.entries[offset + 1] = token;
      this.entries[offset + 2] = newId;
    }
    return this.entries[offset + 2]!;
  }
}
