import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { BleuSegmentStats } from '../metrics/bleu/index.js';
import { scoreTextPair, TEXT_ROUGE_TYPES, TextCorpusAccumulator } from '../metrics/textMetrics.js';
import { InputRecordError, parseJsonLine } from '../core/io/jsonl.js';
import { CHRF, CHRF_PLUS_PLUS } from '../metrics/chrf.js';
import { readInputLines } from '../core/io/readInput.js';
import { checkTextPairLine, corpusJson, pairJson, referencesOf, type TextPairLine } from './textPairs.js';
import { CliError } from '../core/errors.js';
import { forEachInOrder, OrderedChunkPool } from '../core/orderedPool.js';

export interface ScoreChunkOptions {
  stem: boolean;
  levenshtein: boolean;
  chrf: boolean;
}

/** Numbers per pair of the chrF and chrF++ statistics (3 per n-gram order). */
const CHRF_WIDTH = 3 * CHRF.charOrder;
const CHRF_PP_WIDTH = 3 * (CHRF_PLUS_PLUS.charOrder + CHRF_PLUS_PLUS.wordOrder);

/** A scored chunk: printed pairs, and the per-pair parts of the corpus figures in flat arrays. */
export interface ScoredChunk {
  json: string[];
  hfStats: BleuSegmentStats[];
  sacrebleuStats: BleuSegmentStats[];
  /** TEXT_ROUGE_TYPES.length F-measures per pair. */
  rougeF: Float64Array;
  fuzzy: Float64Array;
  /** CHRF_WIDTH and CHRF_PP_WIDTH statistics per pair, when chrF is on. */
  chrf?: Float64Array;
  chrfpp?: Float64Array;
  /** Index within the chunk and reason of the first invalid line (only for unvalidated input). */
  invalid?: { index: number; reason: string };
}

export function scoreChunk(lines: readonly string[], options: ScoreChunkOptions): ScoredChunk {
  const chunk: ScoredChunk = {
    json: [],
    hfStats: [],
    sacrebleuStats: [],
    rougeF: new Float64Array(lines.length * TEXT_ROUGE_TYPES.length),
    fuzzy: new Float64Array(lines.length),
    ...(options.chrf && { chrf: new Float64Array(lines.length * CHRF_WIDTH), chrfpp: new Float64Array(lines.length * CHRF_PP_WIDTH) }),
  };
  for (let i = 0; i < lines.length; i++) {
    const line = pairLine(lines[i] as string);
    if ('reason' in line) {
      chunk.invalid = { index: i, reason: line.reason };
      return chunk;
    }
    const result = scoreTextPair(line.prediction, referencesOf(line), options);
    chunk.json.push(pairJson(result.scores));
    chunk.hfStats.push(result.hfStats);
    chunk.sacrebleuStats.push(result.sacrebleuStats);
    TEXT_ROUGE_TYPES.forEach((type, k) => (chunk.rougeF[i * TEXT_ROUGE_TYPES.length + k] = result.scores.rouge[type].fmeasure));
    chunk.fuzzy[i] = result.scores.fuzzy;
    if (result.chrfStats) {
      chunk.chrf?.set(result.chrfStats.chrf, i * CHRF_WIDTH);
      chunk.chrfpp?.set(result.chrfStats.chrfpp, i * CHRF_PP_WIDTH);
    }
  }
  return chunk;
}

/** One input line as a pair, or the reason it is not one. */
function pairLine(text: string): TextPairLine | { reason: string } {
  const json = parseJsonLine(text);
  if ('error' in json) return { reason: json.error };
  const reason = checkTextPairLine(json.value);
  return reason === undefined ? (json.value as TextPairLine) : { reason };
}

const CHUNK_LINES = 256;

interface NumberedChunk {
  lines: string[];
  lineNumbers: number[];
}

async function* chunksOf(file: string): AsyncGenerator<NumberedChunk> {
  let current: NumberedChunk = { lines: [], lineNumbers: [] };
  for await (const { line, text } of readInputLines(file)) {
    if (text.trim() === '') continue;
    current.lines.push(text);
    current.lineNumbers.push(line);
    if (current.lines.length === CHUNK_LINES) {
      yield current;
      current = { lines: [], lineNumbers: [] };
    }
  }
  if (current.lines.length) yield current;
}

/**
 * A validation pass before anything is printed, so bad input yields one error and no half-written
 * JSON (only for files: standard input cannot be read twice).
 */
async function validatePairsFile(file: string): Promise<void> {
  for await (const chunk of chunksOf(file)) {
    chunk.lines.forEach((text, i) => {
      const line = pairLine(text);
      if ('reason' in line) throw new InputRecordError(file, chunk.lineNumbers[i], line.reason);
    });
  }
}

export interface TextMetricsRunOptions extends ScoreChunkOptions {
  workers: number;
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/**
 * `logbench metrics`: streams pairs from `file`, prints `{"pairs": [...], "corpus": {...}}` as it
 * goes. Memory stays flat: a few chunks in flight and a few numbers per pair for the corpus.
 */
export async function runTextMetrics(file: string, options: TextMetricsRunOptions, out: Writable): Promise<void> {
  const score = (chunk: NumberedChunk) => scoreChunk(chunk.lines, options);
  const pool =
    options.workers > 1
      ? new OrderedChunkPool<NumberedChunk, ScoredChunk>({ threads: options.workers, script: new URL('./textScoringWorker.js', import.meta.url), data: options, local: score })
      : undefined;
  // With workers the validation pass runs while they score (it was ≈ 0.25 s of one thread before any
  // scoring, on 10,000 pairs); nothing is printed until it has passed.
  const validation = file === '-' ? Promise.resolve() : validatePairsFile(file);
  if (pool) validation.catch(() => undefined); // awaited by the first emit
  else await validation;
  const corpus = new TextCorpusAccumulator();
  // The opening is written with the first pair, so a file without pairs is refused with nothing printed.
  let first = true;
  const emit = async (chunk: NumberedChunk, scored: ScoredChunk): Promise<void> => {
    await validation;
    if (scored.invalid) throw new InputRecordError(file, chunk.lineNumbers[scored.invalid.index], scored.invalid.reason);
    scored.json.forEach((json, i) => {
      const chrfStats = scored.chrf && scored.chrfpp && { chrf: scored.chrf.subarray(i * CHRF_WIDTH, (i + 1) * CHRF_WIDTH), chrfpp: scored.chrfpp.subarray(i * CHRF_PP_WIDTH, (i + 1) * CHRF_PP_WIDTH) };
      corpus.addParts(scored.hfStats[i] as BleuSegmentStats, scored.sacrebleuStats[i] as BleuSegmentStats, scored.rougeF.subarray(i * TEXT_ROUGE_TYPES.length), scored.fuzzy[i] as number, chrfStats);
    });
    if (scored.json.length) {
      await write(out, (first ? '{"pairs":[' : ',') + scored.json.join(','));
      first = false;
    }
  };
  try {
    await forEachInOrder(chunksOf(file), pool, score, emit);
  } finally {
    await pool?.close();
  }
  if (first) throw new CliError(`${file}: no pairs`);
  await write(out, `],"corpus":${JSON.stringify(corpusJson(corpus.result()))}}\n`);
}
