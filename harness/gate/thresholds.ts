import { z } from 'zod';
import { figureNamed } from '../../metrics/registry.js';
import { CliError } from '../../core/errors.js';
import { InputRecordError } from '../../core/io/jsonl.js';
import { readInputText } from '../../core/io/readInput.js';
import { parseYamlFile } from '../../core/io/yaml.js';
import { describeIssues } from '../suite/load.js';

const SignificanceLevel = z.number().gt(0).lt(1);

/**
 * What one metric must satisfy. `min`/`max` bound the candidate's value; `max_drop` (absolute) and
 * `max_drop_relative` (share of the baseline's value) bound how much worse than the baseline it may
 * get, in the metric's own direction (a rise, for error_rate). With `significant_at`, a change
 * beyond them is a regression only when the paired test finds it significant at that level.
 */
export const MetricRule = z
  .strictObject({
    min: z.number().optional(),
    max: z.number().optional(),
    max_drop: z.number().min(0).optional(),
    max_drop_relative: z.number().min(0).optional(),
    significant_at: SignificanceLevel.optional(),
  })
  .refine((rule) => [rule.min, rule.max, rule.max_drop, rule.max_drop_relative].some((bound) => bound !== undefined), {
    message: 'give at least one of min, max, max_drop, max_drop_relative',
  })
  .refine((rule) => rule.min === undefined || rule.max === undefined || rule.min <= rule.max, { message: 'min must not exceed max', path: ['min'] })
  .refine((rule) => rule.significant_at === undefined || rule.max_drop !== undefined || rule.max_drop_relative !== undefined, {
    message: 'significant_at only applies to max_drop or max_drop_relative',
    path: ['significant_at'],
  });
export type MetricRule = z.infer<typeof MetricRule>;

/** `min` / `max` inside the metric's range, `max_drop` no wider than it; metrics not listed there are left alone. */
function checkMetricRanges(metrics: Record<string, MetricRule>, ctx: z.core.$RefinementCtx<Record<string, MetricRule>>): void {
  for (const [name, rule] of Object.entries(metrics)) {
    // The values the metric can take (its registry definition): a bound outside them never holds, or always does.
    const figure = figureNamed(name);
    if (figure === undefined) continue;
    const range = { low: figure.range[0], high: figure.range[1] };
    const shown = range.high === Infinity ? `[${range.low}, ∞)` : `[${range.low}, ${range.high}]`;
    for (const key of ['min', 'max'] as const) {
      const value = rule[key];
      if (value !== undefined && (value < range.low || value > range.high)) {
        ctx.addIssue({ code: 'custom', path: [name, key], message: `${name} lies in ${shown}: ${key} ${value} is outside it` });
      }
    }
    if (rule.max_drop !== undefined && rule.max_drop > range.high - range.low) {
      ctx.addIssue({ code: 'custom', path: [name, 'max_drop'], message: `${name} lies in ${shown}: a drop of ${rule.max_drop} is wider than that range` });
    }
  }
}

export const Thresholds = z.strictObject({
  /** Run id or `latest:<suite>/<model>`; `--baseline` overrides it. */
  baseline: z.string().min(1).optional(),
  /** Default `significant_at` of every metric's change rule. */
  significant_at: SignificanceLevel.optional(),
  metrics: z
    .record(z.string().regex(/^\w+$/, 'a metric name as the store has it (accuracy, rougeL, error_rate, …)'), MetricRule)
    .refine((metrics) => Object.keys(metrics).length > 0, { message: 'name at least one metric' })
    .superRefine(checkMetricRanges),
});
export type Thresholds = z.infer<typeof Thresholds>;

/** Reads and validates a thresholds file; every problem names the file and the field. */
export function loadThresholds(file: string): Thresholds {
  let source: string;
  let document: unknown;
  try {
    source = readInputText(file);
    document = parseYamlFile(source, file);
  } catch (error) {
    if (error instanceof InputRecordError) throw new CliError(error.message);
    throw error;
  }
  const parsed = Thresholds.safeParse(document);
  // file:line:col per problem, as suite errors have them.
  if (!parsed.success) throw new CliError(describeIssues(file, source, parsed.error.issues));
  return parsed.data;
}

export const DEFAULT_SIGNIFICANCE = 0.05;

/** Without a thresholds file: no metric with a paired test may get significantly worse than the baseline. */
export function defaultThresholds(testedMetrics: readonly string[]): Thresholds {
  return {
    significant_at: DEFAULT_SIGNIFICANCE,
    metrics: Object.fromEntries(testedMetrics.map((name) => [name, { max_drop: 0 }])),
  };
}
