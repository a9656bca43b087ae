/**
 * What a metric and a task are, as data: one definition each, listed in metrics/registry.ts. The
 * suite schema, the report and gate directions, the run's statistics and the JSON Schema all read
 * the registry, so adding a metric is one definition and one registry line (docs/DESIGN.md §7).
 */
import type { DifferenceSummary, SummedStatistic } from './statistics/index.js';

/** One stored figure (a corpus figure of a run, or a per-sample value) and how to read it. */
export interface FigureInfo {
  name: string;
  /** Tables mark a rise ▲ or ▼ with this, gates call a drop a regression with it. */
  higherIsBetter: boolean;
  /** The values it can take; gate thresholds outside it are refused. */
  range: readonly [number, number];
}

/**
 * A metric as the registry holds it: its state type is erased, since a state never leaves its own
 * metric's functions. Write `export const myMetric = defineMetric<MyState>({...})`.
 */
export function defineMetric<State>(definition: MetricDefinition<State>): MetricDefinition {
  return definition as unknown as MetricDefinition;
}

/** One prediction against its reference(s), as a metric sees it. */
export interface TextPair {
  /** The answer; an empty string for a failed request (it scores as wrong). */
  output: string;
  references: readonly string[];
  /** Work two metrics of one sample share (BLEU and sacreBLEU tokenize once), computed once per key. */
  shared<T>(key: string, compute: () => T): T;
}

/**
 * A reference-based metric: per-sample state (what the corpus figure and its bootstrap need), the
 * per-sample values stored beside each prediction, and the corpus figures of a run.
 */
export interface MetricDefinition<State = unknown> {
  /** The name a suite lists under `metrics:`. */
  readonly name: string;
  readonly description: string;
  /** Corpus figures it stores. */
  readonly figures: readonly FigureInfo[];
  /** Per-sample values it stores (`sample_metrics`). */
  readonly sampleFigures: readonly FigureInfo[];
  /** Tasks it applies to; absent: every task whose samples carry a reference text. */
  readonly tasks?: readonly string[];
  /**
   * Its per-sample state is plain data, what structured clone copies unchanged (no functions, class
   * instances or objects compared by identity), so `score` may run on worker threads and `corpus` /
   * `statistics` may receive copies. Absent: a run with it scores stored samples on one thread.
   */
  readonly plainState?: boolean;
  score(pair: TextPair): State;
  sampleValues(state: State): Record<string, number | null>;
  /** Every figure of `figures` over a run's samples. */
  corpus(states: readonly State[]): Record<string, number | null>;
  /** The figures with a resampling form, as sums of per-sample columns (intervals and paired tests). */
  statistics(states: readonly State[]): Record<string, SummedStatistic>;
}

/** One sample's outcome as a task sees it. A failed request has `output` null and `failed` set. */
export interface ScoringItem {
  output: string | null;
  /** Label a classifier runner returned directly (otherwise parsed from `output`). */
  predictedLabel?: string | null;
  reference?: string | null;
  label?: string | null;
  failed: boolean;
}

export interface SampleScores {
  /** Per-sample metric values; null where undefined for this sample. */
  values: Record<string, number | null>;
  /** The label the task parser read from the output (classification). */
  label?: string | null;
  /** Task-parsed fields stored with the prediction (e.g. the JSON analysis verdicts). */
  parsed?: Record<string, unknown>;
  /** Each listed metric's per-sample state, for corpus figures and intervals without rescoring. */
  states?: Record<string, unknown>;
}

export interface CorpusFigure {
  name: string;
  value: number | null;
  n: number;
}

/** A paired test the task defines for one of its figures (classification accuracy: exact McNemar). */
export type PairedFigureTest = (candidate: readonly ScoringItem[], baseline: readonly ScoringItem[], settings: { resamples: number; seed: number; confidence?: number }) => DifferenceSummary;

/** What the rules baseline answers for one input: a text, or a label for classifiers. */
export type RulesAnswer = { text: string } | { label: string };

/**
 * A task: what an answer is (parsing), what each sample must carry, its own figures (listed under
 * the task's name in a suite's `metrics:`), the metrics it gets by default and its rules baseline.
 */
export interface TaskDefinition {
  readonly name: string;
  readonly description: string;
  /** What each sample is scored against. */
  readonly needs: 'reference' | 'label';
  /** The task's own corpus figures, and its own per-sample values. */
  readonly figures: readonly FigureInfo[];
  readonly sampleFigures: readonly FigureInfo[];
  /** The suite's `metrics:` when it lists none (the task's own name switches its figures on). */
  readonly defaultMetrics: readonly string[];
  /** Per-sample values, parsed fields and label of one outcome. */
  scoreSample(item: ScoringItem): Omit<SampleScores, 'states'>;
  /** The task's own corpus figures over a run. */
  corpus(items: readonly ScoringItem[], scored: readonly SampleScores[]): CorpusFigure[];
  /** The task's figures with a resampling form. */
  statistics(items: readonly ScoringItem[], scored: readonly SampleScores[]): Record<string, SummedStatistic>;
  /** Figures compared by a test of their own rather than the paired bootstrap. */
  readonly pairedTests?: Readonly<Record<string, PairedFigureTest>>;
  /** The deterministic rules baseline's answer to one input (provider `rules`). */
  rulesAnswer(input: string): RulesAnswer;
}

/** A figure definition for values in [0, 1] where higher is better (rates, F1, ROUGE, fuzzy). */
export function rate(name: string): FigureInfo {
  return { name, higherIsBetter: true, range: [0, 1] };
}
