import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusIntervals, metricStatistics } from './runStatistics.js';
import { ERROR_RATE, figureNamed, higherIsBetter, listedFigures, METRICS, metricsForTask, TASKS, taskNamed } from './registry.js';
import { fullSampleValue } from './statistics/index.js';
import { scoreCorpus, scoreSample, type ScoringItem } from './taskScoring.js';

const chrfGolden = JSON.parse(readFileSync(new URL('../test/fixtures/golden/chrf.public.json', import.meta.url), 'utf8')) as {
  pairs: { id: string; prediction: string; reference: string; chrf: { score: number }; chrfpp: { score: number } }[];
  corpus_groups: { id: string; chrf: { score: number }; chrfpp: { score: number } }[];
};
const items: ScoringItem[] = chrfGolden.pairs.map((p) => ({ output: p.prediction, reference: p.reference, failed: false }));

describe('the metric and task registry', () => {
  it('gives every stored figure one name, a direction and a range', () => {
    for (const definition of [...METRICS, ...TASKS]) {
      const names = definition.figures.map((f) => f.name);
      expect(new Set(names).size, definition.name).toBe(names.length);
      for (const figure of [...definition.figures, ...definition.sampleFigures]) {
        expect(figure.range[0], figure.name).toBeLessThan(figure.range[1]);
        expect(figureNamed(figure.name)?.higherIsBetter, figure.name).toBe(figure.higherIsBetter);
      }
    }
    expect(higherIsBetter(ERROR_RATE.name)).toBe(false);
    expect(higherIsBetter('risk_mae')).toBe(false);
    expect(higherIsBetter('risk_abs_error')).toBe(false);
    expect(higherIsBetter('levenshtein')).toBe(false);
    expect(higherIsBetter('chrfpp')).toBe(true);
    expect(figureNamed('sacrebleu')?.range).toEqual([0, 100]);
  });

  it('lets a task take its own figures and the reference metrics that apply to it', () => {
    expect(metricsForTask(taskNamed('classification'))).toEqual(['classification']);
    expect(metricsForTask(taskNamed('text'))).toEqual(METRICS.map((m) => m.name));
    expect(metricsForTask(taskNamed('json-analysis'))).toEqual(['json-analysis', ...METRICS.map((m) => m.name)]);
    for (const task of TASKS) for (const metric of task.defaultMetrics) expect(metricsForTask(task), `${task.name} default ${metric}`).toContain(metric);
  });

  it('scores chrF and chrF++ of a run through the registry exactly as sacreBLEU does, with intervals', () => {
    const scored = items.map((item) => scoreSample('text', ['chrf'], item));
    chrfGolden.pairs.forEach((p, i) => expect(Math.abs((scored[i]!.values['chrf'] as number) - p.chrf.score), p.id).toBeLessThanOrEqual(1e-9 * Math.max(1, p.chrf.score)));
    const figures = new Map(scoreCorpus('text', ['chrf'], items, scored).map((f) => [f.name, f.value as number]));
    const all = chrfGolden.corpus_groups.find((g) => g.id === 'A_all')!;
    expect(Math.abs(figures.get('chrf')! - all.chrf.score)).toBeLessThanOrEqual(1e-9 * all.chrf.score);
    expect(Math.abs(figures.get('chrfpp')! - all.chrfpp.score)).toBeLessThanOrEqual(1e-9 * all.chrfpp.score);
    const intervals = corpusIntervals('text', ['chrf'], items, scored, { resamples: 200, seed: 3 });
    for (const name of ['chrf', 'chrfpp']) {
      expect(intervals.get(name)!.low, name).toBeLessThanOrEqual(figures.get(name)!);
      expect(intervals.get(name)!.high, name).toBeGreaterThanOrEqual(figures.get(name)!);
    }
  });

  it('gives every reference metric a resampling form whose full-sample value is its corpus figure', () => {
    const metrics = METRICS.map((m) => m.name);
    const scored = items.map((item) => scoreSample('text', metrics, item));
    const figures = new Map(scoreCorpus('text', metrics, items, scored).map((f) => [f.name, f.value as number]));
    const statistics = metricStatistics('text', metrics, items, scored);
    for (const metric of METRICS) {
      for (const { name } of metric.figures) {
        const stat = statistics.get(name);
        expect(stat, name).toBeDefined();
        expect(Math.abs(fullSampleValue(stat!) - figures.get(name)!), name).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(figures.get(name)!)));
      }
    }
  });

  it('gives every json-analysis figure a resampling form whose full-sample value is its corpus figure', () => {
    const analysis = (risk: number, alert: boolean, critical: number[], warning: number[]) =>
      JSON.stringify({ risk_score: risk, should_alert_user: alert, messages: { critical, warning }, summary: ['x'] });
    const cases: ScoringItem[] = [
      { output: analysis(80, true, [1, 2], [3]), reference: analysis(90, true, [1], [3, 4]), failed: false },
      { output: analysis(10, false, [], []), reference: analysis(10, false, [], []), failed: false },
      { output: analysis(60, true, [5], []), reference: analysis(20, false, [], [5]), failed: false },
      { output: analysis(20, false, [], [2]), reference: analysis(70, true, [2], [2]), failed: false },
      // A bare flag with an ill-typed line list, prose, a failed request: the corpus's own rules score them.
      { output: '{"risk_score": 50, "should_alert_user": true, "messages": {"critical": ["1"], "warning": []}}', reference: analysis(55, true, [1], []), failed: false },
      { output: 'no JSON here', reference: analysis(95, true, [1, 3], []), failed: false },
      { output: null, reference: analysis(5, false, [], [1]), failed: true },
    ];
    const check = (items: readonly ScoringItem[]) => {
      const scored = items.map((item) => scoreSample('json-analysis', ['json-analysis'], item));
      const figures = scoreCorpus('json-analysis', ['json-analysis'], items, scored);
      const statistics = metricStatistics('json-analysis', ['json-analysis'], items, scored);
      for (const figure of figures) {
        const stat = statistics.get(figure.name);
        expect(stat, figure.name).toBeDefined();
        expect(fullSampleValue(stat!), figure.name).toBeCloseTo(figure.value!, 12);
      }
      return new Map(figures.map((f) => [f.name, f.value]));
    };
    const all = check(cases);
    expect(all.get('alert_f1')).toBeGreaterThan(0);
    expect(all.get('alert_f1')).toBeLessThan(1);
    // Nothing predicted where there is nothing to find: the corpus calls that a perfect 1, and so must its statistic.
    expect(check(cases.slice(1, 2)).get('critical_f1')).toBe(1);
    const intervals = corpusIntervals('json-analysis', ['json-analysis'], cases, cases.map((item) => scoreSample('json-analysis', ['json-analysis'], item)), { resamples: 200, seed: 5 });
    for (const name of ['alert_precision', 'alert_recall', 'alert_f1', 'critical_f1', 'warning_f1']) expect(intervals.has(name), name).toBe(true);
  });

  it("lists a suite's figures in the suite's metric order, not the registry's (the verdict's fallback order)", () => {
    const figures = listedFigures('json-analysis', ['fuzzy', 'json-analysis']);
    expect(figures[0]).toBe('fuzzy');
    expect(figures).toContain('warning_f1');
    expect(figures.indexOf('warning_f1')).toBeGreaterThan(0);
  });
});
