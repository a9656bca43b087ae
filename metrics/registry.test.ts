import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusIntervals, metricStatistics } from './runStatistics.js';
import { ERROR_RATE, figureNamed, higherIsBetter, METRICS, metricsForTask, TASKS, taskNamed } from './registry.js';
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
});
