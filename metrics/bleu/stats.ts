/**
 * BLEU's per-segment sufficient statistics, shared by HF evaluate BLEU, sacreBLEU and nltk BLEU:
 * all three clip each hypothesis n-gram count by its maximum count over the references, so one
 * record per segment serves corpus BLEU, sentence BLEU and a bootstrap that resamples segments.
 */
import { HypothesisVocabulary, NgramIdTable, ScratchRole, scratchArray } from './ngramIds.js';
import { hfAndSacrebleuTokenSpans, pythonRstrip, tokenHash, tokenSpans13a, type TokenSpans } from './tokenizer13a.js';

/** The n-gram order every implementation here uses (HF `max_order=4`, sacreBLEU `MAX_NGRAM_ORDER`, nltk's four weights). */
export const BLEU_MAX_ORDER = 4;

export interface BleuSegmentStats {
  /** Index n-1: clipped matches of n-grams, sum of min(hypothesis count, max count in any reference). */
  readonly matches: readonly number[];
  /** Index n-1: hypothesis n-grams, max(0, hypLen - n + 1). */
  readonly totals: readonly number[];
  readonly hypLen: number;
  /** One length per reference, in the order given. */
  readonly refLens: readonly number[];
}

/** Segment statistics summed over a corpus, with one reference length chosen per segment. */
export interface BleuCorpusStats {
  readonly matches: readonly number[];
  readonly totals: readonly number[];
  readonly hypLen: number;
  readonly refLen: number;
}

/** 'shortest': tensorflow/nmt `min(len(r) for r in references)`; 'closest': sacreBLEU `_get_closest_ref_len` = nltk `closest_ref_length` (ties go to the shorter). */
export type ReferenceLengthRule = 'shortest' | 'closest';

export function chooseReferenceLength(hypLen: number, refLens: readonly number[], rule: ReferenceLengthRule): number {
  let chosen = refLens[0];
  if (chosen === undefined) throw new RangeError('BLEU needs at least one reference per segment');
  for (const refLen of refLens) {
    if (rule === 'shortest') {
      chosen = Math.min(chosen, refLen);
    } else {
      const diff = Math.abs(hypLen - refLen);
      const chosenDiff = Math.abs(hypLen - chosen);
      if (diff < chosenDiff || (diff === chosenDiff && refLen < chosen)) chosen = refLen;
    }
  }
  return chosen;
}

export function sumSegmentStats(stats: readonly BleuSegmentStats[], rule: ReferenceLengthRule): BleuCorpusStats {
  const matches = new Array<number>(BLEU_MAX_ORDER).fill(0);
  const totals = new Array<number>(BLEU_MAX_ORDER).fill(0);
  let hypLen = 0;
  let refLen = 0;
  for (const segment of stats) {
    for (let n = 0; n < BLEU_MAX_ORDER; n++) {
      matches[n] = (matches[n] ?? 0) + (segment.matches[n] ?? 0);
      totals[n] = (totals[n] ?? 0) + (segment.totals[n] ?? 0);
    }
    hypLen += segment.hypLen;
    refLen += chooseReferenceLength(segment.hypLen, segment.refLens, rule);
  }
  return { matches, totals, hypLen, refLen };
}

/**
 * Statistics of one segment. N-grams get integer ids instead of joined-string keys: an n-gram's
 * id is looked up from (its (n-1)-prefix id, last token id). Only hypothesis n-grams get ids,
 * since a reference n-gram absent from the hypothesis can neither match nor extend to a match.
 */
function spanSegmentStats(hypothesis: TokenSpans, references: readonly TokenSpans[]): BleuSegmentStats {
  if (references.length === 0) throw new RangeError('BLEU needs at least one reference per segment');
  const vocabulary = new HypothesisVocabulary(hypothesis);
  const hypIds = vocabulary.ids;
  const hypLen = hypothesis.starts.length;

  // Unigram ids are the token ids 1..vocabulary.size; longer n-grams are numbered after them.
  const longerNgramCapacity = (BLEU_MAX_ORDER - 1) * hypLen;
  const idCapacity = vocabulary.size + longerNgramCapacity + 1;
  const orderIndexOf = scratchArray(ScratchRole.OrderIndex, idCapacity); // n - 1; unigrams keep 0
  const hypCounts = scratchArray(ScratchRole.HypothesisCounts, idCapacity);
  const ngramIds = new NgramIdTable(longerNgramCapacity);
  let nextId = vocabulary.size + 1;
  for (let start = 0; start < hypLen; start++) {
    let id = hypIds[start]!;
    hypCounts[id]!++;
    for (let order = 1; order < BLEU_MAX_ORDER && start + order < hypLen; order++) {
      const extended = ngramIds.getOrAdd(id, hypIds[start + order]!, nextId);
      if (extended === nextId) orderIndexOf[nextId++] = order;
      id = extended;
      hypCounts[id]!++;
    }
  }

  const refMax = scratchArray(ScratchRole.ReferenceMax, nextId);
  const refCounts = scratchArray(ScratchRole.ReferenceCounts, nextId);
  const touched: number[] = [];
  const refLens: number[] = [];
  for (const reference of references) {
    const refLen = reference.starts.length;
    refLens.push(refLen);
    const refIds = scratchArray(ScratchRole.ReferenceIds, refLen + 1); // refIds[refLen] = 0 ends every n-gram walk
    for (let k = 0; k < refLen; k++) refIds[k] = vocabulary.idOf(reference, k);
    for (let start = 0; start < refLen; start++) {
      let id = refIds[start]!;
      for (let order = 1; id !== 0; order++) {
        if (refCounts[id]!++ === 0) touched.push(id);
        const next = refIds[start + order]!;
        if (order === BLEU_MAX_ORDER || next === 0) break;
        id = ngramIds.get(id, next);
      }
    }
    for (const id of touched) {
      refMax[id] = Math.max(refMax[id]!, refCounts[id]!);
      refCounts[id] = 0;
    }
    touched.length = 0;
  }

  // Plain loops and pushes: closures and map() here cost deoptimizations in the hottest function.
  const matches: number[] = [];
  const totals: number[] = [];
  for (let n = 0; n < BLEU_MAX_ORDER; n++) {
    matches.push(0);
    totals.push(Math.max(0, hypLen - n));
  }
  for (let id = 1; id < nextId; id++) {
    const orderIndex = orderIndexOf[id]!;
    matches[orderIndex]! += Math.min(hypCounts[id]!, refMax[id]!);
  }
  return { matches, totals, hypLen, refLens };
}

/** Token lists as spans of one string, so they go through the same counting. */
function spansOfTokens(tokens: readonly string[]): TokenSpans {
  const text = tokens.join('');
  const starts = new Int32Array(tokens.length);
  const ends = new Int32Array(tokens.length);
  const hashes = new Int32Array(tokens.length);
  let offset = 0;
  tokens.forEach((token, k) => {
    starts[k] = offset;
    ends[k] = offset += token.length;
    hashes[k] = tokenHash(text, starts[k]!, offset);
  });
  return { text, starts, ends, hashes };
}

/** Statistics of one tokenized segment (hypothesis and references as token lists). */
export function bleuSegmentStats(hypothesis: readonly string[], references: readonly (readonly string[])[]): BleuSegmentStats {
  return spanSegmentStats(spansOfTokens(hypothesis), references.map(spansOfTokens));
}

/** Which BLEU's 13a preprocessing: HF evaluate's (the line as given) or sacreBLEU's (the rstripped line). */
export type Bleu13aVariant = 'hf' | 'sacrebleu';

function variantSpans(line: string, variant: Bleu13aVariant): TokenSpans {
  return tokenSpans13a(variant === 'sacrebleu' ? pythonRstrip(line) : line);
}

/** Per-segment statistics of a corpus; `references[i]` holds every reference of `predictions[i]`. */
export function corpusSegmentStats(
  predictions: readonly string[],
  references: readonly (readonly string[])[],
  variant: Bleu13aVariant,
): BleuSegmentStats[] {
  assertAligned(predictions, references);
  return predictions.map((prediction, i) =>
    spanSegmentStats(
      variantSpans(prediction, variant),
      (references[i] ?? []).map((reference) => variantSpans(reference, variant)),
    ),
  );
}

export interface HfAndSacrebleuSegmentStats {
  /** Tokens from HF evaluate's 13a (raw line); nltk's golden BLEU uses these tokens too. */
  readonly hf: BleuSegmentStats[];
  /** Tokens from sacreBLEU's BLEU (13a of the rstripped line). */
  readonly sacrebleu: BleuSegmentStats[];
}

/**
 * Both variants' statistics of a corpus, computing a segment once (the same object in both
 * lists) when rstripping changes none of its token lists, which is the usual case.
 */
export function hfAndSacrebleuSegmentStats(
  predictions: readonly string[],
  references: readonly (readonly string[])[],
): HfAndSacrebleuSegmentStats {
  assertAligned(predictions, references);
  const hf: BleuSegmentStats[] = [];
  const sacrebleu: BleuSegmentStats[] = [];
  predictions.forEach((prediction, i) => {
    const [hypothesis, ...referenceSpans] = [prediction, ...(references[i] ?? [])].map(hfAndSacrebleuTokenSpans);
    const hfStats = spanSegmentStats(hypothesis!.hf, referenceSpans.map((spans) => spans.hf));
    hf.push(hfStats);
    const sameTokens = hypothesis!.hf === hypothesis!.sacrebleu && referenceSpans.every((spans) => spans.hf === spans.sacrebleu);
    sacrebleu.push(
      sameTokens ? hfStats : spanSegmentStats(hypothesis!.sacrebleu, referenceSpans.map((spans) => spans.sacrebleu)),
    );
  });
  return { hf, sacrebleu };
}

function assertAligned(predictions: readonly string[], references: readonly (readonly string[])[]): void {
  if (predictions.length !== references.length) {
    throw new RangeError(`BLEU got ${predictions.length} predictions but ${references.length} reference lists`);
  }
}
