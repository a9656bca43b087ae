/**
 * Bit-parallel LCS over token ids (Allison & Dix 1986; Hyyrö 2004, "Bit-parallel LCS-length
 * computation revisited"), with rouge_score's `_backtrack_norec` read-out.
 *
 * The candidate's tokens are the columns, packed 32 per Uint32 word. After reference row i, bit c
 * of the row vector V_i is 0 exactly when the DP table of rouge_score's `_lcs_table` rises at
 * column c: t[i][c+1] - t[i][c] = 1. For ROUGE-Lsum every candidate sentence is its own segment of
 * columns, with a separator column between segments that stays 0 in V: it absorbs the carry of the
 * row update (and, set in the minuend, the borrow of the backtrack's subtraction), so one pass over
 * a reference sentence computes its LCS table against every candidate sentence at once.
 *
 * Scratch buffers live at module level and are reused between calls (single-threaded, no re-entrancy).
 */

/** Token ids cut into segments: segment k is ids[segmentEnds[k-1] ?? 0, segmentEnds[k]). */
export interface SegmentedIds {
  readonly ids: Int32Array;
  readonly length: number;
  readonly sentenceEnds: readonly number[];
}

const ABSENT = -1;
/** Vocabulary id -> row of its match mask in `masks`; ABSENT for ids not among the loaded columns. */
let slotOf = new Int32Array(256).fill(ABSENT);
/** Match masks: bit c of mask row s is set iff column c holds the token of slot s. */
let masks = new Uint32Array(256);
/** Bits of the separator columns. */
let separators = new Uint32Array(8);
let segmentStart = new Int32Array(16);
let segmentEnd = new Int32Array(16);
let segmentOfColumn = new Int32Array(256);
let columnCount = 0;
let words = 0;
/** Row vectors, row i at rows[i * words] (row 0: before any reference token). */
let rows = new Uint32Array(256);
let rowDifference = new Uint32Array(8);
/** Matched reference offsets of the last backtrack, last match first. */
let lcsPath = new Int32Array(256);
/** Per segment: columns where the last row rises, i.e. the segment's LCS length. */
let segmentRises = new Int32Array(16);
let touchedSegments = new Int32Array(16);
/** Reference offsets not yet in the union whose token occurs in the candidate. */
let openPositions = new Int32Array(256);

function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  v = (v + (v >>> 4)) & 0x0f0f0f0f;
  return Math.imul(v, 0x01010101) >>> 24;
}

/** Bits of word k that are real columns (not padding past the last column). */
function columnBits(k: number): number {
  const rest = columnCount - k * 32;
  return rest >= 32 ? -1 : (1 << rest) - 1;
}

/** Packs ids[0, length) as columns, one segment per sentence, a separator column between segments. */
function loadColumns(ids: Int32Array, length: number, segmentEnds: readonly number[], vocabularySize: number): void {
  if (slotOf.length < vocabularySize) slotOf = new Int32Array(Math.max(vocabularySize, slotOf.length * 2)).fill(ABSENT);
  const segments = segmentEnds.length;
  columnCount = length + Math.max(segments - 1, 0);
  words = (columnCount + 31) >>> 5;
  if (separators.length < words) separators = new Uint32Array(words * 2);
  separators.fill(0, 0, words);
  if (segmentStart.length < segments) {
    segmentStart = new Int32Array(segments * 2);
    segmentEnd = new Int32Array(segments * 2);
    segmentRises = new Int32Array(segments * 2);
    touchedSegments = new Int32Array(segments * 2);
  }
  if (segmentOfColumn.length < columnCount) segmentOfColumn = new Int32Array(columnCount * 2);

  let slots = 0;
  for (let p = 0; p < length; p += 1) {
    const id = ids[p]!;
    if (slotOf[id] === ABSENT) slotOf[id] = slots++;
  }
  if (masks.length < slots * words) masks = new Uint32Array(slots * words * 2);
  masks.fill(0, 0, slots * words);

  let column = 0;
  let p = 0;
  for (let s = 0; s < segments; s += 1) {
    if (s > 0) {
      separators[column >>> 5]! |= 1 << (column & 31);
      column += 1;
    }
    segmentStart[s] = column;
    for (const end = segmentEnds[s]!; p < end; p += 1, column += 1) {
      masks[slotOf[ids[p]!]! * words + (column >>> 5)]! |= 1 << (column & 31);
      segmentOfColumn[column] = s;
    }
    segmentEnd[s] = column;
  }
}

function unloadColumns(ids: Int32Array, length: number): void {
  for (let p = 0; p < length; p += 1) slotOf[ids[p]!] = ABSENT;
}

/**
 * Runs reference rows ids[from, to) over the loaded columns. With `keepRows` every row vector is
 * kept for the backtrack; otherwise one vector at rows[0] is updated in place.
 */
function runRows(ids: Int32Array, from: number, to: number, keepRows: boolean): void {
  const needed = (keepRows ? to - from + 1 : 1) * words;
  if (rows.length < needed) rows = new Uint32Array(needed * 2);
  for (let k = 0; k < words; k += 1) rows[k] = ~separators[k]!;
  let current = 0;
  for (let i = from; i < to; i += 1) {
    const next = keepRows ? current + words : current;
    const slot = slotOf[ids[i]!]!;
    if (slot === ABSENT) {
      if (keepRows) for (let k = 0; k < words; k += 1) rows[next + k] = rows[current + k]!;
    } else {
      // Hyyrö: V' = (V + U) | (V - U) with U = V & match, where V - U = V & ~U (U's bits are V's).
      const maskBase = slot * words;
      let carry = 0;
      for (let k = 0; k < words; k += 1) {
        const v = rows[current + k]!;
        const u = (v & masks[maskBase + k]!) >>> 0;
        const sum = v + u + carry;
        carry = sum > 0xffffffff ? 1 : 0;
        rows[next + k] = (sum | (v & ~u)) & ~separators[k]!;
      }
    }
    current = next;
  }
}

/** Whether the match mask at masks[maskBase] has a bit in columns [first, end). */
function matchesWithin(maskBase: number, first: number, end: number): boolean {
  const lowWord = first >>> 5;
  const highWord = (end - 1) >>> 5;
  const top = (end - 1) & 31;
  for (let k = lowWord; k <= highWord; k += 1) {
    let bits = masks[maskBase + k]!;
    if (k === lowWord) bits &= -1 << (first & 31);
    if (k === highWord && top !== 31) bits &= (1 << (top + 1)) - 1;
    if (bits !== 0) return true;
  }
  return false;
}

/**
 * rouge_score `_backtrack_norec` for one segment, over rows kept by `runRows`: writes the matched
 * reference offsets (relative to refFrom) into lcsPath, last first, and returns their count.
 * Without a match at (i, j) rouge_score moves left iff t[i][j-1] > t[i-1][j], that is iff row i
 * does not rise at column j-1 (bit j-1 of V_i is 1) and t[i][j] - t[i-1][j] = 1. The latter is bit
 * j-1 of D = V_i - V_{i-1}: ~V marks rises, vertical differences are 0/1, so the rises row i gained
 * and lost alternate and their difference sets exactly the columns where row i is ahead. A run of
 * left moves is then one highest-set-bit search in match | ~(V_i & D).
 */
function backtrackSegment(refIds: Int32Array, refFrom: number, refLength: number, segment: number): number {
  if (lcsPath.length < refLength) lcsPath = new Int32Array(refLength * 2);
  if (rowDifference.length < words) rowDifference = new Uint32Array(words * 2);
  const first = segmentStart[segment]!;
  // The word holding the separator below the segment: the search stops there.
  const lowWord = first === 0 ? 0 : (first - 1) >>> 5;
  let i = refLength;
  let j = segmentEnd[segment]!;
  let found = 0;
  while (i > 0 && j > first) {
    const slot = slotOf[refIds[refFrom + i - 1]!]!;
    // A token absent from the candidate leaves the row unchanged, so D = 0: move up.
    if (slot === ABSENT) {
      i -= 1;
      continue;
    }
    const row = i * words;
    const previousRow = row - words;
    const maskBase = slot * words;
    const highWord = (j - 1) >>> 5;
    let borrow = 0;
    for (let k = lowWord; k <= highWord; k += 1) {
      const difference = ((rows[row + k]! | separators[k]!) >>> 0) - rows[previousRow + k]! - borrow;
      borrow = difference < 0 ? 1 : 0;
      rowDifference[k] = difference;
    }
    let word = highWord;
    const top = (j - 1) & 31;
    let bits = (masks[maskBase + word]! | ~(rows[row + word]! & rowDifference[word]!)) & (top === 31 ? -1 : (1 << (top + 1)) - 1);
    while (bits === 0 && word > lowWord) {
      word -= 1;
      bits = masks[maskBase + word]! | ~(rows[row + word]! & rowDifference[word]!);
    }
    const column = bits === 0 ? -1 : word * 32 + 31 - Math.clz32(bits);
    // Left all the way to the segment's first column: the walk ends.
    if (column < first) break;
    if (((masks[maskBase + word]! >>> (column & 31)) & 1) === 1) {
      lcsPath[found++] = i - 1;
      j = column;
    } else {
      j = column + 1;
    }
    i -= 1;
  }
  return found;
}

/** Length of the LCS of two id sequences (rouge_score `_lcs_table(...)[-1][-1]`). */
export function lcsLength(a: Int32Array, aLength: number, b: Int32Array, bLength: number, vocabularySize: number): number {
  if (aLength === 0 || bLength === 0) return 0;
  // The shorter sequence becomes the bit-packed columns.
  const [columns, columnLength, rowIds, rowLength] = aLength <= bLength ? [a, aLength, b, bLength] : [b, bLength, a, aLength];
  loadColumns(columns, columnLength, [columnLength], vocabularySize);
  runRows(rowIds, 0, rowLength, false);
  unloadColumns(columns, columnLength);
  let length = 0;
  for (let k = 0; k < words; k += 1) length += popcount32(~rows[k]! & columnBits(k));
  return length;
}

/**
 * Sets marks[p] = 1 for each reference position p in rouge_score's `_union_lcs` of its sentence
 * against every candidate sentence (the `lcs_ind` of each pair, union taken as a set of positions).
 */
export function markUnionLcs(
  reference: SegmentedIds,
  candidate: SegmentedIds,
  vocabularySize: number,
  marks: Uint8Array,
): void {
  loadColumns(candidate.ids, candidate.length, candidate.sentenceEnds, vocabularySize);
  if (openPositions.length < reference.length) openPositions = new Int32Array(reference.length * 2);
  let refFrom = 0;
  for (const refTo of reference.sentenceEnds) {
    runRows(reference.ids, refFrom, refTo, true);
    markSentenceUnion(reference.ids, refFrom, refTo, marks);
    refFrom = refTo;
  }
  unloadColumns(candidate.ids, candidate.length);
}

/** The union for reference sentence ids[refFrom, refTo), whose rows `runRows` has just kept. */
function markSentenceUnion(refIds: Int32Array, refFrom: number, refTo: number, marks: Uint8Array): void {
  const refLength = refTo - refFrom;
  const lastRow = refLength * words;
  // LCS length per segment, from the rises of the last row.
  let touched = 0;
  let best = -1;
  for (let k = 0; k < words; k += 1) {
    let bits = ~rows[lastRow + k]! & ~separators[k]! & columnBits(k);
    while (bits !== 0) {
      const segment = segmentOfColumn[k * 32 + 31 - Math.clz32(bits & -bits)]!;
      if (segmentRises[segment] === 0) touchedSegments[touched++] = segment;
      segmentRises[segment]! += 1;
      if (best < 0 || segmentRises[segment]! > segmentRises[best]!) best = segment;
      bits &= bits - 1;
    }
  }
  if (best < 0) return;

  // Read out the longest LCS first: it usually covers what the other segments could add, and a
  // backtrack that could only mark marked positions is skipped (the union would not change).
  let open = 0;
  for (let p = refFrom; p < refTo; p += 1) if (slotOf[refIds[p]!] !== ABSENT) openPositions[open++] = p;
  for (let order = -1; order < touched; order += 1) {
    const segment = order < 0 ? best : touchedSegments[order]!;
    if (order >= 0 && segment === best) continue;
    const first = segmentStart[segment]!;
    const end = segmentEnd[segment]!;
    let kept = 0;
    let canAdd = false;
    for (let k = 0; k < open; k += 1) {
      const p = openPositions[k]!;
      if (marks[p] === 1) continue;
      openPositions[kept++] = p;
      canAdd ||= matchesWithin(slotOf[refIds[p]!]! * words, first, end);
    }
    open = kept;
    if (!canAdd) continue;
    const found = backtrackSegment(refIds, refFrom, refLength, segment);
    for (let k = 0; k < found; k += 1) marks[refFrom + lcsPath[k]!] = 1;
  }
  for (let k = 0; k < touched; k += 1) segmentRises[touchedSegments[k]!] = 0;
}

/**
 * rouge_score `lcs_ind(ref, can)`: the reference indices of the one LCS its backtrack reads out,
 * ascending.
 */
export function lcsIndices(reference: readonly string[], candidate: readonly string[]): number[] {
  if (reference.length === 0 || candidate.length === 0) return [];
  const idOfToken = new Map<string, number>();
  const toIds = (tokens: readonly string[]): Int32Array =>
    Int32Array.from(tokens, (token) => {
      const id = idOfToken.get(token) ?? idOfToken.size;
      idOfToken.set(token, id);
      return id;
    });
  const refIds = toIds(reference);
  const candidateIds = toIds(candidate);
  loadColumns(candidateIds, candidateIds.length, [candidateIds.length], idOfToken.size);
  runRows(refIds, 0, refIds.length, true);
  const found = backtrackSegment(refIds, 0, refIds.length, 0);
  unloadColumns(candidateIds, candidateIds.length);
  return Array.from(lcsPath.subarray(0, found)).reverse();
}
