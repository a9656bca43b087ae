/**
 * The report's read-only SQL aggregates over a run store, for what `RunStore`'s row-by-row readers
 * would make slow (a 100,000-sample run): per-batch quality, label counts, JSON-analysis rates,
 * ranked samples, run totals.
 *
 * They run on their own READ_ONLY DuckDB handle on the file of a store that is itself open
 * read-only: with no writer in this process (or, then, in any other), two read-only handles on one
 * file see the same committed data, and the store's serialised connection stays free.
 */
import { ReadOnlyHandle } from './readOnlyHandle.js';
import { type Params, type Row, flag, numeric, optionalNumeric, optionalText, text } from './rows.js';
import type { RunStore } from './store.js';

/** Where a sample's quality score comes from: a stored per-sample metric, or (classifiers without one) label == gold label. */
export type QualitySource = { kind: 'sample-metric'; name: string } | { kind: 'label-agreement' };

/** Shown where a prediction has no parsed label (classification) or no schema-valid analysis (alert flag): unparsable or failed. */
export const NO_ANSWER = '(no answer)';

export interface LabelCount {
  truth: string;
  predicted: string;
  count: number;
}

export interface BatchQuality {
  batchIndex: number;
  quality: number;
  /** Samples of the batch with a defined score. */
  scored: number;
}

/** JSON-analysis answers sharing a parse outcome, a reference/predicted alert pair and a risk-error bin. */
export interface JsonAnalysisCell {
  parsed: boolean;
  schemaValid: boolean;
  /** Reference `should_alert_user` ('true' / 'false'); null when the reference does not parse. */
  trueAlert: string | null;
  /** The schema-valid answer's flag; null without a schema-valid answer. */
  predictedAlert: string | null;
  /** Lower edge of the predicted − reference risk-score bin; null without both scores. */
  riskErrorBin: number | null;
  count: number;
}

/** One sample picked for the sample browser, with its score in both runs. */
export interface RankedSample {
  sampleId: string;
  candidate: number;
  baseline: number | null;
}

export interface SampleText {
  sampleId: string;
  input: string;
  inputLength: number;
  reference: string | null;
  referenceLength: number | null;
  label: string | null;
}

export interface PredictionText {
  runId: string;
  sampleId: string;
  output: string | null;
  outputLength: number | null;
  label: string | null;
  error: string | null;
}

/**
 * A run's totals of its per-batch figures. Each is null unless every batch of the run measured it (a
 * total over some batches would make the run look cheaper); `…Batches` says how many did.
 */
export interface RunTotals {
  runId: string;
  batches: number;
  samples: number;
  wallMs: number;
  cpuMs: number | null;
  cpuBatches: number;
  gpuTimeMs: number | null;
  gpuTimeBatches: number;
  /** The largest of the batches' peaks. */
  gpuMemPeakMb: number | null;
  gpuMemBatches: number;
  /** The run's GPU energy: the sum of its batches' `energy_j`. */
  energyJ: number | null;
  energyBatches: number;
  /** The first reason a batch gave for missing GPU figures ("no GPU visible (…)", "scrape failed: …"). */
  telemetryNote: string | null;
}

/** `column` totalled over a run's batches only where every batch has it (the rule of `RunTotals`), and how many do. */
function completeTotal(aggregate: 'sum' | 'max', column: string): string {
  return `CASE WHEN count(${column}) = count(*) THEN ${aggregate}(${column}) END AS ${column}, count(${column})::INTEGER AS ${column}_batches`;
}

/** Per-sample scores of `run` under `quality`, as a CTE named `name`. */
function qualityCte(name: string, quality: QualitySource, runParam: '$candidate' | '$baseline'): string {
  if (quality.kind === 'sample-metric') {
    return `${name} AS (SELECT sample_id, value FROM sample_metrics WHERE run_id = ${runParam} AND name = $metric AND value IS NOT NULL)`;
  }
  return `${name} AS (
    SELECT p.sample_id, CASE WHEN p.label = s.label THEN 1.0 ELSE 0.0 END AS value
    FROM predictions p JOIN runs r ON r.id = p.run_id
    JOIN samples s ON s.split_hash = r.split_hash AND s.sample_id = p.sample_id
    WHERE p.run_id = ${runParam} AND s.label IS NOT NULL)`;
}

function qualityParams(quality: QualitySource): Record<string, string> {
  return quality.kind === 'sample-metric' ? { metric: quality.name } : {};
}

/**
 * What the report reads of a JSON-analysis prediction: `predictions.score` as the scorer stores it
 * (metrics/taskScoring.ts: `parsed`, `schemaValid`, and the analysis `value` when schema-valid); the
 * truth is the reference analysis JSON. Each JSON text is parsed once, for all of its paths.
 */
const JSON_ANALYSIS_FACTS = `raw AS (
  SELECT
    json_extract_string(p.score, ['$.parsed', '$.schemaValid', '$.value.should_alert_user', '$.value.risk_score']) AS answer,
    CASE WHEN json_valid(s.reference) THEN json_extract_string(s.reference, ['$.should_alert_user', '$.risk_score']) END AS truth
  FROM predictions p JOIN runs r ON r.id = p.run_id
  LEFT JOIN samples s ON s.split_hash = r.split_hash AND s.sample_id = p.sample_id
  WHERE p.run_id = $candidate),
facts AS (
  SELECT coalesce(answer[1] = 'true', false) AS parsed, coalesce(answer[2] = 'true', false) AS schema_valid,
    answer[3] AS predicted_alert, TRY_CAST(answer[4] AS DOUBLE) AS predicted_risk,
    truth[1] AS true_alert, TRY_CAST(truth[2] AS DOUBLE) AS true_risk
  FROM raw)`;

/** Aggregating queries over one store file; open with `withStoreQueries`. */
export class StoreQueries {
  private constructor(private readonly handle: ReadOnlyHandle) {}

  static async open(store: Pick<RunStore, 'path' | 'readOnly'>): Promise<StoreQueries> {
    return new StoreQueries(await ReadOnlyHandle.open(store, 'reports'));
  }

  close(): void {
    this.handle.close();
  }

  private select(sql: string, params: Params): Promise<Row[]> {
    return this.handle.rows(sql, params);
  }

  async sampleMetricNames(runId: string): Promise<string[]> {
    const rows = await this.select('SELECT DISTINCT name FROM sample_metrics WHERE run_id = $candidate AND value IS NOT NULL ORDER BY name', { candidate: runId });
    return rows.map((row) => text(row['name']));
  }

  /** Mean quality of each batch: per-sample scores joined to the batch that produced the prediction. */
  async batchQuality(runId: string, quality: QualitySource): Promise<BatchQuality[]> {
    const rows = await this.select(
      `WITH ${qualityCte('quality', quality, '$candidate')}
       SELECT p.batch_index, avg(q.value) AS quality, count(*)::INTEGER AS scored
       FROM predictions p JOIN quality q ON q.sample_id = p.sample_id
       WHERE p.run_id = $candidate GROUP BY p.batch_index ORDER BY p.batch_index`,
      { candidate: runId, ...qualityParams(quality) },
    );
    return rows.map((row) => ({ batchIndex: numeric(row['batch_index']), quality: numeric(row['quality']), scored: numeric(row['scored']) }));
  }

  /** Gold label × predicted label counts over the run's labelled samples. */
  async labelConfusion(runId: string): Promise<LabelCount[]> {
    const rows = await this.select(
      `SELECT s.label AS truth, coalesce(p.label, $none) AS predicted, count(*)::INTEGER AS count
       FROM predictions p JOIN runs r ON r.id = p.run_id
       JOIN samples s ON s.split_hash = r.split_hash AND s.sample_id = p.sample_id
       WHERE p.run_id = $candidate AND s.label IS NOT NULL
       GROUP BY ALL ORDER BY ALL`,
      { candidate: runId, none: NO_ANSWER },
    );
    return rows.map((row) => ({ truth: text(row['truth']), predicted: text(row['predicted']), count: numeric(row['count']) }));
  }

  /** The run's JSON-analysis answers in one pass, grouped finely enough to derive every rate, confusion and histogram. */
  async jsonAnalysisCells(runId: string, riskBinWidth: number): Promise<JsonAnalysisCell[]> {
    const rows = await this.select(
      `WITH ${JSON_ANALYSIS_FACTS}
       SELECT parsed, schema_valid, true_alert, predicted_alert,
         CASE WHEN predicted_risk IS NOT NULL AND true_risk IS NOT NULL THEN (floor((predicted_risk - true_risk) / $width) * $width)::DOUBLE END AS risk_bin,
         count(*)::INTEGER AS count
       FROM facts GROUP BY ALL ORDER BY ALL`,
      { candidate: runId, width: riskBinWidth },
    );
    return rows.map((row) => ({
      parsed: flag(row['parsed']),
      schemaValid: flag(row['schema_valid']),
      trueAlert: optionalText(row['true_alert']),
      predictedAlert: optionalText(row['predicted_alert']),
      riskErrorBin: optionalNumeric(row['risk_bin']),
      count: numeric(row['count']),
    }));
  }

  /**
   * The `limit` samples the candidate scores worst (`order: 'worst'`), or whose score moved most
   * against the baseline (`'changed'`, samples scored in both runs). Ties break on sample id.
   */
  async rankedSamples(options: {
    order: 'worst' | 'changed';
    candidateId: string;
    baselineId: string | null;
    quality: QualitySource;
    higherIsBetter: boolean;
    limit: number;
  }): Promise<RankedSample[]> {
    const ranking =
      options.order === 'worst'
        ? `FROM cq LEFT JOIN bq ON bq.sample_id = cq.sample_id ORDER BY cq.value ${options.higherIsBetter ? 'ASC' : 'DESC'}, cq.sample_id`
        : 'FROM cq JOIN bq ON bq.sample_id = cq.sample_id WHERE cq.value <> bq.value ORDER BY abs(cq.value - bq.value) DESC, cq.sample_id';
    const rows = await this.select(
      `WITH ${qualityCte('cq', options.quality, '$candidate')}, ${qualityCte('bq', options.quality, '$baseline')}
       SELECT cq.sample_id, cq.value AS candidate, bq.value AS baseline ${ranking} LIMIT $limit`,
      { candidate: options.candidateId, baseline: options.baselineId, limit: options.limit, ...qualityParams(options.quality) },
    );
    return rows.map((row) => ({ sampleId: text(row['sample_id']), candidate: numeric(row['candidate']), baseline: optionalNumeric(row['baseline']) }));
  }

  /** Inputs and references of `sampleIds`, cut to `maxChars` characters (their full lengths alongside). */
  async sampleTexts(splitHash: string, sampleIds: readonly string[], maxChars: { input: number; text: number }): Promise<SampleText[]> {
    const rows = await this.select(
      `SELECT sample_id, left(input, $inputChars) AS input, length(input)::INTEGER AS input_length,
         left(reference, $textChars) AS reference, length(reference)::INTEGER AS reference_length, label
       FROM samples WHERE split_hash = $split AND sample_id IN (SELECT unnest($ids))`,
      { split: splitHash, ids: sampleIds, inputChars: maxChars.input, textChars: maxChars.text },
    );
    return rows.map((row) => ({
      sampleId: text(row['sample_id']),
      input: text(row['input']),
      inputLength: numeric(row['input_length']),
      reference: optionalText(row['reference']),
      referenceLength: optionalNumeric(row['reference_length']),
      label: optionalText(row['label']),
    }));
  }

  /** Outputs of `runIds` for `sampleIds`, cut to `maxChars` characters. */
  async predictionTexts(runIds: readonly string[], sampleIds: readonly string[], maxChars: number): Promise<PredictionText[]> {
    const rows = await this.select(
      `SELECT run_id, sample_id, left(output, $chars) AS output, length(output)::INTEGER AS output_length, label, error
       FROM predictions WHERE run_id IN (SELECT unnest($runs)) AND sample_id IN (SELECT unnest($ids))`,
      { runs: runIds, ids: sampleIds, chars: maxChars },
    );
    return rows.map((row) => ({
      runId: text(row['run_id']),
      sampleId: text(row['sample_id']),
      output: optionalText(row['output']),
      outputLength: optionalNumeric(row['output_length']),
      label: optionalText(row['label']),
      error: optionalText(row['error']),
    }));
  }

  /** Resource use of each run, totalled over its batches (runs without batches are absent). */
  async runTotals(runIds: readonly string[]): Promise<RunTotals[]> {
    const rows = await this.select(
      `SELECT run_id, count(*)::INTEGER AS batches, sum(size)::DOUBLE AS samples, sum(wall_ms) AS wall_ms,
         ${completeTotal('sum', 'cpu_ms')}, ${completeTotal('sum', 'gpu_time_ms')}, ${completeTotal('max', 'gpu_mem_peak_mb')}, ${completeTotal('sum', 'energy_j')},
         arg_min(telemetry_note, batch_index) FILTER (WHERE telemetry_note IS NOT NULL) AS telemetry_note
       FROM batches WHERE run_id IN (SELECT unnest($runs)) GROUP BY run_id ORDER BY run_id`,
      { runs: runIds },
    );
    return rows.map((row) => ({
      runId: text(row['run_id']),
      batches: numeric(row['batches']),
      samples: numeric(row['samples']),
      wallMs: numeric(row['wall_ms']),
      cpuMs: optionalNumeric(row['cpu_ms']),
      cpuBatches: numeric(row['cpu_ms_batches']),
      gpuTimeMs: optionalNumeric(row['gpu_time_ms']),
      gpuTimeBatches: numeric(row['gpu_time_ms_batches']),
      gpuMemPeakMb: optionalNumeric(row['gpu_mem_peak_mb']),
      gpuMemBatches: numeric(row['gpu_mem_peak_mb_batches']),
      energyJ: optionalNumeric(row['energy_j']),
      energyBatches: numeric(row['energy_j_batches']),
      telemetryNote: optionalText(row['telemetry_note']),
    }));
  }
}

/** Opens aggregate queries on `store`'s file for the duration of `work`. */
export async function withStoreQueries<T>(store: Pick<RunStore, 'path' | 'readOnly'>, work: (queries: StoreQueries) => Promise<T>): Promise<T> {
  const queries = await StoreQueries.open(store);
  try {
    return await work(queries);
  } finally {
    queries.close();
  }
}
