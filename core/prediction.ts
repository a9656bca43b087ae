/** What flows between the run engine, the runners, telemetry and the store for one sample. */
import type { Sample } from './sample.js';

/** What a runner returns for one sample. Exactly one of `text`, `label` or `error` is meaningful. */
export interface Prediction {
  sampleId: string;
  /** Raw generated text (generative runners). */
  text?: string;
  /** Predicted label (classifier runners). */
  label?: string;
  /** Class probabilities keyed by label (classifier runners). */
  probs?: Record<string, number>;
  latencyMs: number;
  tokensIn?: number;
  tokensOut?: number;
  /** Set when the sample failed after all retries; the run goes on. */
  error?: string;
  /** True when the answer came from the response cache, not from the provider. */
  cached?: boolean;
  /** The endpoint that answered, without credentials (one of a model's `endpoints`): the batch records them. */
  replica?: string;
}

/** A rendered request for one sample: the chat messages the template produced. */
export interface RenderedRequest {
  sample: Sample;
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
}

