/** One evaluation case, as every loader produces it and every runner consumes it. */
export interface Sample {
  /** Stable within a split: the same file always yields the same ids. */
  id: string;
  /** What the prompt template receives as `{{input}}` (log chunk, window text, ...). */
  input: string;
  /** Reference text for generative tasks (FPT JSON, cause/remediation). */
  reference?: string;
  /** Gold label for classification tasks (`normal` / `anomalous`, ...). */
  label?: string;
  /** Loader-specific extras (source file, line range, system), stored as JSON. */
  meta: Record<string, unknown>;
}

/** A loaded split: its samples and the content hash that makes runs comparable. */
export interface LoadedSplit {
  name: string;
  samples: Sample[];
  /** sha256 over the canonical serialisation of every sample (ids, inputs, references, labels). */
  splitHash: string;
  /** Rows skipped because the suite allowed it (`skip_invalid`), with the reason for each. */
  skipped: { record: string; reason: string }[];
}
