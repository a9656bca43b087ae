import { z } from 'zod';
import { AnomalyClassValue } from '../../datasets/labels.js';
import { InputRecordError, readJsonl } from '../../core/io/jsonl.js';
import type { Prediction, RenderedRequest, Runner } from './runner.js';

/** Where each value sits in a replay line; defaults `id`, `output`, `label`, `probs`. */
export interface ReplayFields {
  id?: string;
  output?: string;
  label?: string;
  probs?: string;
}

export interface ReplayRunnerOptions {
  /** JSONL, one prediction per line, keyed by sample id. */
  file: string;
  fields?: ReplayFields;
}

type ReplayedPrediction = Pick<Prediction, 'text' | 'label' | 'probs'>;

const replayLineSchema = z
  .object({
    id: z.union([z.string().min(1), z.number()]).transform(String),
    output: z.string().optional(),
    // Labels are read by the datasets' one rule, so a replayed 1 or "Anomalous" scores as anomalous.
    label: AnomalyClassValue.optional(),
    probs: z.record(z.string(), z.number()).optional(),
  })
  .refine((line) => line.output !== undefined || line.label !== undefined, {
    message: 'needs an output or a label',
  });

/** Predictions produced elsewhere (another harness, a batch job), served back by sample id. */
export class ReplayRunner implements Runner {
  readonly provider = 'replay';
  readonly #predictions: ReadonlyMap<string, ReplayedPrediction>;

  private constructor(
    readonly file: string,
    predictions: ReadonlyMap<string, ReplayedPrediction>,
  ) {
    this.#predictions = predictions;
  }

  /** Reads and validates the whole file up front, so a bad line fails the run before it starts. */
  static async load(options: ReplayRunnerOptions): Promise<ReplayRunner> {
    const names = { id: 'id', output: 'output', label: 'label', probs: 'probs', ...options.fields };
    const predictions = new Map<string, ReplayedPrediction>();
    const lineOfId = new Map<string, number>();
    for await (const { line, value: record } of readJsonl(options.file, z.record(z.string(), z.unknown()))) {
      const parsed = replayLineSchema.safeParse({ id: record[names.id], output: record[names.output], label: record[names.label], probs: record[names.probs] });
      if (!parsed.success) {
        const issues = parsed.error.issues.map((issue) => {
          const field = issue.path[0];
          const name = typeof field === 'string' && field in names ? names[field as keyof typeof names] : undefined;
          return name === undefined ? issue.message : `${name}: ${issue.message}`;
        });
        throw new InputRecordError(options.file, line, issues.join('; '));
      }
      const { id, output, label, probs } = parsed.data;
      const earlier = lineOfId.get(id);
      if (earlier !== undefined) throw new InputRecordError(options.file, line, `duplicate id ${JSON.stringify(id)} (first on line ${earlier})`);
      lineOfId.set(id, line);
      predictions.set(id, {
        ...(output !== undefined && { text: output }),
        ...(label !== undefined && { label }),
        ...(probs !== undefined && { probs }),
      });
    }
    return new ReplayRunner(options.file, predictions);
  }

  async runBatch(batch: RenderedRequest[]): Promise<Prediction[]> {
    return batch.map(({ sample }) => {
      const replayed = this.#predictions.get(sample.id);
      // Latency is the replay's own (zero): the original run's timing is not in the file.
      return replayed === undefined
        ? { sampleId: sample.id, latencyMs: 0, error: `no replayed prediction for sample ${sample.id}` }
        : { sampleId: sample.id, latencyMs: 0, ...replayed };
    });
  }
}
