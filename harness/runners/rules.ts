/**
 * The rules baseline: a deterministic keyword matcher that answers every task without a model, so
 * each suite shows the floor a model has to beat. Each task defines its answer (`rulesAnswer` in its
 * file under metrics/tasks/, on the shared line rating of metrics/tasks/logRules.ts); it reads
 * `request.sample.input` (the raw log chunk or window), never the rendered prompt. Its phrases come
 * from the training part of the shipped logs or from named outside sources, never from held-out lines
 * (each rule's `provenance`, recomputed by metrics/tasks/logRules.test.ts).
 */
import type { TaskDefinition } from '../../metrics/definition.js';
import { taskNamed } from '../../metrics/registry.js';
import type { Prediction, RenderedRequest, Runner } from './runner.js';

export interface RulesBaselineOptions {
  /** A registered task name. */
  task: string;
}

/** Answers each request from its sample's raw input with its task's rules; no tokens, no failures. */
export class RulesBaselineRunner implements Runner {
  readonly provider = 'rules';
  readonly #task: TaskDefinition;

  constructor(options: RulesBaselineOptions) {
    this.#task = taskNamed(options.task);
  }

  async runBatch(batch: RenderedRequest[]): Promise<Prediction[]> {
    return batch.map(({ sample }) => {
      const started = performance.now();
      const answer = this.#task.rulesAnswer(sample.input);
      // A classifier's label is also its text, as a model's answer would be.
      const fields = 'label' in answer ? { label: answer.label, text: answer.label } : { text: answer.text };
      return { sampleId: sample.id, ...fields, latencyMs: performance.now() - started };
    });
  }
}
