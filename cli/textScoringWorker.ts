/**
 * Worker-thread side of `logbench metrics --workers N`: scores a chunk of pairs and returns the
 * printed JSON of each pair plus the parts the main thread needs for corpus figures.
 */
import { serveChunks } from '../core/orderedPool.js';
import { scoreChunk, type ScoreChunkOptions, type ScoredChunk } from './textScoring.js';

serveChunks(
  (data) => data as ScoreChunkOptions,
  (options, chunk: { lines: string[] }): ScoredChunk => scoreChunk(chunk.lines, options),
  (scored) => [scored.rougeF, scored.fuzzy, scored.chrf, scored.chrfpp].flatMap((column) => (column ? [column.buffer as ArrayBuffer] : [])),
);
