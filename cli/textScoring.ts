import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { BleuSegmentStats } from '../metrics/bleu/index.js';
import { scoreTextPair, TEXT_ROUGE_TYPES, TextCorpusAccumulator } from '../metrics/textMetrics.js';
import { InputRecordError, parseJsonLine } from '../core/io/jsonl.js';
import { CHRF, CHRF_PLUS_PLUS } from '../metrics/chrf.js';
import { readInputLines } from '../core/io/readInput.js';
import { checkTextPairLine, corpusJson, pairJson, referencesOf, type TextPairLine } from './textPairs.js';
import { CliError } from '../core/errors.js';

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
  seq: number;
  lines: string[];
  lineNumbers: number[];
}

async function* chunksOf(file: string): AsyncGenerator<NumberedChunk> {
  let seq = 0;
  let current: NumberedChunk = { seq, lines: [], lineNumbers: [] };
  for await (const { line, text } of readInputLines(file)) {
    if (text.trim() === '') continue;
    current.lines.push(text);
    current.lineNumbers.push(line);
    if (current.lines.length === CHUNK_LINES) {
      yield current;
      current = { seq: ++seq, lines: [], lineNumbers: [] };
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

/**
 * Scores chunks on `size` threads: `size - 1` workers and the main thread itself, which otherwise
 * idles between printing chunks (a third isolate to start, warm up and collect cost ≈ 30 % more CPU
 * than one thread on 10,000 pairs, more than 2 cores can hide; BENCHMARKS.md, bench:metrics). A
 * worker holds up to two chunks, so it starts its next one as soon as it posts one instead of waiting
 * for the main thread to print the oldest.
 */
class ChunkPool {
  private readonly slots: { worker?: Worker; queued: number }[];
  private readonly pending = new Map<number, { resolve: (chunk: ScoredChunk) => void; reject: (error: Error) => void }>();
  private failure: Error | undefined;

  constructor(
    size: number,
    private readonly options: ScoreChunkOptions,
  ) {
    const script = new URL('./textScoringWorker.js', import.meta.url);
    const workers = Array.from({ length: size - 1 }, () => {
      const slot = { worker: new Worker(script, { workerData: options }), queued: 0 };
      slot.worker.on('message', (scored: ScoredChunk & { seq: number }) => {
        slot.queued--;
        this.pending.get(scored.seq)?.resolve(scored);
        this.pending.delete(scored.seq);
      });
      slot.worker.on('error', (err) => {
        this.failure = err;
        for (const { reject } of this.pending.values()) reject(err);
        this.pending.clear();
      });
      return slot;
    });
    this.slots = [...workers, { queued: 0 }];
  }

  /** Chunks the pool takes before the caller should wait for the oldest: two per thread. */
  get depth(): number {
    return this.slots.length * 2;
  }

  submit(chunk: NumberedChunk): Promise<ScoredChunk> {
    if (this.failure) return Promise.reject(this.failure);
    // Workers first, up to two chunks each: the main thread scores its chunks synchronously and only
    // between them hands out new ones, so a worker holding a single chunk idled until it had (a trace
    // of 10,000 pairs: 2 threads used 1.0 core in most runs). The main thread takes the rest.
    const least = this.slots.reduce((min, next) => (next.worker && next.queued < min.queued ? next : min));
    const slot = least.worker && least.queued < 2 ? least : (this.slots.at(-1) as (typeof this.slots)[number]);
    slot.queued++;
    const { worker } = slot;
    if (!worker) {
      // Scored on a later turn of the event loop, so workers' results and new chunks are handled first.
      return new Promise((resolve) => setImmediate(resolve)).then(() => {
        slot.queued--;
        return scoreChunk(chunk.lines, this.options);
      });
    }
    return new Promise((resolve, reject) => {
      this.pending.set(chunk.seq, { resolve, reject });
      worker.postMessage({ seq: chunk.seq, lines: chunk.lines });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map(({ worker }) => worker?.terminate()));
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
  const pool = options.workers > 1 ? new ChunkPool(options.workers, options) : undefined;
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
    if (!pool) {
      for await (const chunk of chunksOf(file)) await emit(chunk, scoreChunk(chunk.lines, options));
    } else {
      // Keep every worker busy, but print strictly in input order; at most `depth` chunks in flight.
      const inFlight: { chunk: NumberedChunk; result: Promise<ScoredChunk> }[] = [];
      for await (const chunk of chunksOf(file)) {
        while (inFlight.length >= pool.depth) {
          const next = inFlight.shift() as (typeof inFlight)[number];
          await emit(next.chunk, await next.result);
        }
        const result = pool.submit(chunk);
        result.catch(() => undefined); // awaited in order below; a worker's failure must not go unhandled meanwhile
        inFlight.push({ chunk, result });
      }
      for (const next of inFlight) await emit(next.chunk, await next.result);
    }
  } finally {
    await pool?.close();
  }
  if (first) throw new CliError(`${file}: no pairs`);
  await write(out, `],"corpus":${JSON.stringify(corpusJson(corpus.result()))}}\n`);
}
