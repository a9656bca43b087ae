/**
 * Worker-thread side of `logbench metrics --workers N`: scores a chunk of pairs and returns the
 * printed JSON of each pair plus the parts the main thread needs for corpus figures.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { scoreChunk, type ScoreChunkOptions, type ScoredChunk } from './textScoring.js';

if (parentPort) {
  const port = parentPort;
  const options = workerData as ScoreChunkOptions;
  port.on('message', (message: { seq: number; lines: string[] }) => {
    const scored: ScoredChunk & { seq: number } = { seq: message.seq, ...scoreChunk(message.lines, options) };
    const buffers = [scored.rougeF, scored.fuzzy, scored.chrf, scored.chrfpp].flatMap((column) => (column ? [column.buffer as ArrayBuffer] : []));
    port.postMessage(scored, buffers);
  });
}
