/**
 * The read SQL of `logbench view`: one page of a run's samples under the viewer's filters (in SQL,
 * so a 100,000-sample run sends one page, not the run), one sample across every run of its split,
 * and the names a filter can offer. Run on a read-only store (a `StoreSnapshots` copy).
 */
import { ReadOnlyHandle } from './readOnlyHandle.js';
import { type Params, type Row, numeric, optionalNumeric, optionalText, text } from './rows.js';
import type { RunStore } from './store.js';

export interface SampleFilter {
  /** Case-insensitive text searched in the input, reference and output. */
  search?: string;
  /** The per-sample metric `min` / `max` bound and the page shows. */
  metric?: string;
  min?: number;
  max?: number;
  /** `only`: failed predictions; `none`: successful ones. */
  errors?: 'only' | 'none';
  /** Gold or predicted label equal to this. */
  label?: string;
  /** Only samples whose output, label or error differs in this other run. */
  changedFrom?: string;
}

export interface SampleRow {
  sampleId: string;
  input: string;
  reference: string | null;
  goldLabel: string | null;
  output: string | null;
  predictedLabel: string | null;
  error: string | null;
  /** The filter's metric for this sample; null without one. */
  score: number | null;
}

export interface SamplePage {
  total: number;
  rows: SampleRow[];
}

/** A sample as the static site's sample table holds it: every per-sample score, and whether it changed from the baseline. */
export interface SampleTableRow extends Omit<SampleRow, 'score'> {
  scores: Record<string, number | null>;
  /** Output, label or error differs in the baseline run; null without a baseline (or its prediction). */
  changed: boolean | null;
}

export interface SampleOutputRow {
  runId: string;
  suiteName: string;
  modelId: string;
  variant: string | null;
  startedAt: string;
  output: string | null;
  label: string | null;
  error: string | null;
  scores: { name: string; value: number | null }[];
}

export interface SampleDetail {
  sampleId: string;
  input: string;
  reference: string | null;
  label: string | null;
  /** Every run of the sample's split that predicted it, oldest first. */
  outputs: SampleOutputRow[];
}

/** Longest text the page query returns of an input or output; the sample's own page shows it whole. */
const PREVIEW_CHARS = 400;

/** The columns both sample lists select: sample_id, input, reference, gold, output, predicted, error. */
function sampleTexts(row: Row): Omit<SampleRow, 'score'> {
  return {
    sampleId: text(row['sample_id']),
    input: text(row['input']),
    reference: optionalText(row['reference']),
    goldLabel: optionalText(row['gold']),
    output: optionalText(row['output']),
    predictedLabel: optionalText(row['predicted']),
    error: optionalText(row['error']),
  };
}

export class ViewQueries {
  private constructor(private readonly handle: ReadOnlyHandle) {}

  static async open(store: Pick<RunStore, 'path' | 'readOnly'>): Promise<ViewQueries> {
    return new ViewQueries(await ReadOnlyHandle.open(store, 'the viewer'));
  }

  close(): void {
    this.handle.close();
  }

  private select(sql: string, params: Params): Promise<Row[]> {
    return this.handle.rows(sql, params);
  }

  /** Names of the run's per-sample metrics. */
  async sampleMetricNames(runId: string): Promise<string[]> {
    const rows = await this.select('SELECT DISTINCT name FROM sample_metrics WHERE run_id = $run ORDER BY name', { run: runId });
    return rows.map((row) => text(row['name']));
  }

  /**
   * One page of the run's samples, ordered by sample id, and how many pass the filter. The filter and
   * the page are found on narrow columns (ids, scores, labels; the texts only when searching), and
   * only the page's rows read their texts: reading 100,000 outputs to show 50 took seconds.
   */
  async samplePage(runId: string, filter: SampleFilter, offset: number, limit: number): Promise<SamplePage> {
    const conditions = ['p.run_id = $run'];
    const params: Record<string, string | number | null> = { run: runId };
    const search = filter.search !== undefined && filter.search !== '';
    const label = filter.label !== undefined && filter.label !== '';
    const changed = filter.changedFrom !== undefined && filter.changedFrom !== '';
    if (search) {
      params['search'] = filter.search?.toLowerCase() ?? '';
      conditions.push("(contains(lower(s.input), $search) OR contains(lower(coalesce(p.output, '')), $search) OR contains(lower(coalesce(s.reference, '')), $search))");
    }
    if (filter.metric !== undefined) params['metric'] = filter.metric;
    if (filter.min !== undefined) {
      params['min'] = filter.min;
      conditions.push('m.value >= $min');
    }
    if (filter.max !== undefined) {
      params['max'] = filter.max;
      conditions.push('m.value <= $max');
    }
    if (filter.errors === 'only') conditions.push('p.error IS NOT NULL');
    if (filter.errors === 'none') conditions.push('p.error IS NULL');
    if (label) {
      params['label'] = filter.label ?? '';
      conditions.push('(s.label = $label OR p.label = $label)');
    }
    if (changed) {
      params['other'] = filter.changedFrom ?? '';
      conditions.push('(o.output IS DISTINCT FROM p.output OR o.label IS DISTINCT FROM p.label OR o.error IS DISTINCT FROM p.error)');
    }
    const matching = `FROM predictions p
       ${search || label ? 'JOIN samples s ON s.split_hash = (SELECT split_hash FROM runs WHERE id = $run) AND s.sample_id = p.sample_id' : ''}
       ${filter.metric !== undefined ? 'LEFT JOIN sample_metrics m ON m.run_id = p.run_id AND m.sample_id = p.sample_id AND m.name = $metric' : ''}
       ${changed ? 'JOIN predictions o ON o.run_id = $other AND o.sample_id = p.sample_id' : ''}
       WHERE ${conditions.join(' AND ')}`;
    // A search reads every text: one scan then finds the page and counts the matches (a window). Without
    // one, a count and a top-N on narrow columns are quicker than the window's full sort.
    const windowed = search;
    const page = await this.select(
      `SELECT p.sample_id, ${filter.metric !== undefined ? 'm.value' : 'NULL::DOUBLE'} AS score${windowed ? ', count(*) OVER () AS n' : ''} ${matching} ORDER BY p.sample_id LIMIT $limit OFFSET $offset`,
      { ...params, limit, offset },
    );
    // A page past the end has no row to carry the window's count.
    const [count] = windowed && page.length > 0 ? page : await this.select(`SELECT count(*) AS n ${matching}`, params);
    const ids = page.map((row) => text(row['sample_id']));
    const texts = new Map(
      (
        await this.select(
          `SELECT p.sample_id, left(s.input, $preview) AS input, left(s.reference, $preview) AS reference, s.label AS gold,
                  left(p.output, $preview) AS output, p.label AS predicted, p.error
           FROM predictions p JOIN samples s ON s.split_hash = (SELECT split_hash FROM runs WHERE id = $run) AND s.sample_id = p.sample_id
           WHERE p.run_id = $run AND p.sample_id IN (SELECT unnest($ids))`,
          { run: runId, ids, preview: PREVIEW_CHARS },
        )
      ).map((row) => [text(row['sample_id']), row]),
    );
    return {
      total: numeric(count?.['n']),
      rows: page.map((pageRow) => {
        const sampleId = text(pageRow['sample_id']);
        return { ...sampleTexts(texts.get(sampleId) ?? { sample_id: sampleId }), score: optionalNumeric(pageRow['score']) };
      }),
    };
  }

  /** The run's first `limit` samples (by id) with every score, for the static site's client-side filters. */
  async sampleTable(runId: string, baselineId: string | null, limit: number): Promise<{ total: number; rows: SampleTableRow[] }> {
    const rows = await this.select(
      `SELECT p.sample_id, left(s.input, $preview) AS input, left(s.reference, $preview) AS reference, s.label AS gold,
              left(p.output, $preview) AS output, p.label AS predicted, p.error,
              (SELECT list({'name': m.name, 'value': m.value}) FROM sample_metrics m WHERE m.run_id = p.run_id AND m.sample_id = p.sample_id) AS scores,
              CASE WHEN o.sample_id IS NULL THEN NULL ELSE (o.output IS DISTINCT FROM p.output OR o.label IS DISTINCT FROM p.label OR o.error IS DISTINCT FROM p.error) END AS changed,
              count(*) OVER () AS total
       FROM predictions p
       JOIN runs r ON r.id = p.run_id
       JOIN samples s ON s.split_hash = r.split_hash AND s.sample_id = p.sample_id
       LEFT JOIN predictions o ON o.run_id = $baseline AND o.sample_id = p.sample_id
       WHERE p.run_id = $run
       ORDER BY p.sample_id
       LIMIT $limit`,
      { run: runId, baseline: baselineId, limit, preview: PREVIEW_CHARS },
    );
    return {
      total: rows[0] === undefined ? 0 : numeric(rows[0]['total']),
      rows: rows.map((row) => ({
        ...sampleTexts(row),
        scores: Object.fromEntries(((row['scores'] ?? []) as { name: string; value: number | null }[]).map((score) => [score.name, score.value])),
        changed: row['changed'] === null ? null : row['changed'] === true,
      })),
    };
  }

  /** The sample and what every run of its split answered, with each run's per-sample scores; null when no run of the split has it. */
  async sampleDetail(splitHash: string, sampleId: string): Promise<SampleDetail | null> {
    const [sample] = await this.select('SELECT sample_id, input, reference, label FROM samples WHERE split_hash = $split AND sample_id = $sample', { split: splitHash, sample: sampleId });
    if (sample === undefined) return null;
    const outputs = await this.select(
      `SELECT r.id, r.suite_name, r.model_id, r.variant, r.started_at::VARCHAR AS started, p.output, p.label, p.error,
              (SELECT list({'name': m.name, 'value': m.value} ORDER BY m.name) FROM sample_metrics m WHERE m.run_id = r.id AND m.sample_id = p.sample_id) AS scores
       FROM predictions p JOIN runs r ON r.id = p.run_id
       WHERE r.split_hash = $split AND p.sample_id = $sample
       ORDER BY r.started_at, r.id`,
      { split: splitHash, sample: sampleId },
    );
    return {
      sampleId: text(sample['sample_id']),
      input: text(sample['input']),
      reference: optionalText(sample['reference']),
      label: optionalText(sample['label']),
      outputs: outputs.map((row) => ({
        runId: text(row['id']),
        suiteName: text(row['suite_name']),
        modelId: text(row['model_id']),
        variant: optionalText(row['variant']),
        startedAt: text(row['started']),
        output: optionalText(row['output']),
        label: optionalText(row['label']),
        error: optionalText(row['error']),
        scores: ((row['scores'] ?? []) as { name: string; value: number | null }[]).map((score) => ({ name: score.name, value: score.value })),
      })),
    };
  }
}
