import type { TaskDefinition } from '../definition.js';
import { inputLines, rateLines, summaryBullets } from './logRules.js';

/**
 * Free text against a reference: no task figures of its own, only the reference metrics it lists.
 * Rules baseline: one summary bullet per rule that fired (metrics/tasks/logRules.ts).
 */
export const textTask: TaskDefinition = {
  name: 'text',
  description: 'free text scored against a reference text with the listed metrics',
  needs: 'reference',
  figures: [],
  sampleFigures: [],
  defaultMetrics: ['fuzzy', 'bleu', 'sacrebleu', 'rouge'],
  scoreSample: () => ({ values: {} }),
  corpus: () => [],
  statistics: () => ({}),
  rulesAnswer: (input) => {
    const bullets = summaryBullets(rateLines(inputLines(input)));
    return { text: bullets.length === 0 ? 'No critical or warning keywords found.' : bullets.join('\n') };
  },
};
