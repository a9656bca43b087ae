import type { Prediction, RenderedRequest } from '../../core/prediction.js';

export type { Prediction, RenderedRequest } from '../../core/prediction.js';

export interface RunBatchOptions {
  /**
   * Aborted when the run is interrupted (Ctrl-C, SIGTERM): requests in flight finish, but a failed
   * one is not tried again; it is stored as an error and the next run retries it.
   */
  stopRetrying?: AbortSignal;
}

/** Every provider implements this and nothing more. */
export interface Runner {
  readonly provider: string;
  /** Runs one batch; must resolve with one Prediction per request, errors included, never reject for a sample's failure. */
  runBatch(batch: RenderedRequest[], signal?: AbortSignal, options?: RunBatchOptions): Promise<Prediction[]>;
  close?(): Promise<void>;
}
