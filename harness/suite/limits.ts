/**
 * Upper bounds of the suite's counts and durations. Node turns a timer delay above 2^31 − 1 ms into
 * 1 ms, so no duration may reach it; the counts are bounded so a typo (1e12) is refused, not run.
 */
export const SUITE_LIMITS = {
  timeoutMs: 86_400_000, // 24 h
  gpuSampleMs: 60_000,
  /** The keep-alive agents open at most 256 sockets per host (nodeHttpFetch). */
  concurrency: 256,
  batchSize: 100_000,
  maxRetries: 100,
  resamples: 100_000,
  maxResponseBytes: 1024 ** 3,
  /** Endpoints one model may list (`endpoints:`). */
  replicas: 64,
} as const;

/**
 * Fewest bootstrap resamples a suite may ask for (0 turns stored intervals off): with 1 or 2 an
 * interval can miss its own point and every p is 0 or 1, which flips gate verdicts.
 */
export const MIN_RESAMPLES = 100;

/** An answer body larger than this fails its sample: 8 concurrent 50 MB answers must not cost gigabytes. */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 ** 2;
