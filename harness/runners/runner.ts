import type { Prediction, RenderedRequest } from '../../core/prediction.js';

export type { Prediction, RenderedRequest } from '../../core/prediction.js';

/** Every provider implements this and nothing more. */
export interface Runner {
  readonly provider: string;
  /** Runs one batch; must resolve with one Prediction per request, errors included, never reject for a sample's failure. */
  runBatch(batch: RenderedRequest[], signal?: AbortSignal): Promise<Prediction[]>;
  close?(): Promise<void>;
}
