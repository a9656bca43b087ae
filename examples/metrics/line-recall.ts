/**
 * An example metric plugin: the share of the reference's lines that the answer repeats word for
 * word (say, the log lines an analysis should quote). A suite lists it as
 *   metrics: [rouge, {module: ../metrics/line-recall.ts}]
 * Outside this repository, import `defineMetric` from 'logbench/metrics'.
 *
 * Its corpus figure is summed, not averaged: found lines over reference lines across the run, so
 * the bootstrap resamples the two counts together, like BLEU's n-gram counts.
 */
import { defineMetric } from '../../metrics/definition.js';

interface LineCounts {
  found: number;
  total: number;
}

const lines = (text: string) => text.split('\n').map((line) => line.trim()).filter((line) => line !== '');

export default defineMetric<LineCounts>({
  name: 'line_recall',
  description: 'share of the reference lines the answer repeats verbatim (summed over the run)',
  figures: [{ name: 'line_recall', higherIsBetter: true, range: [0, 1] }],
  sampleFigures: [{ name: 'line_recall', higherIsBetter: true, range: [0, 1] }],
  // Two counts per sample: worker threads may score it when a merge or resume rescores many samples.
  plainState: true,
  score: ({ output, references }) => {
    const said = new Set(lines(output));
    const wanted = lines(references[0] ?? '');
    return { found: wanted.filter((line) => said.has(line)).length, total: wanted.length };
  },
  sampleValues: ({ found, total }) => ({ line_recall: total === 0 ? null : found / total }),
  corpus: (states) => {
    const total = states.reduce((sum, s) => sum + s.total, 0);
    return { line_recall: total === 0 ? null : states.reduce((sum, s) => sum + s.found, 0) / total };
  },
  statistics: (states) => ({
    line_recall: {
      columns: [Float64Array.from(states, (s) => s.found), Float64Array.from(states, (s) => s.total)],
      finalize: ([found, total]) => (total! > 0 ? found! / total! : Number.NaN),
    },
  }),
});
