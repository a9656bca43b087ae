/**
 * Worker-thread side of `scoreItems` (scoringPool.ts): loads the run's metric list once (plugin
 * modules by path, checked against the code the run loaded), then scores each chunk of samples.
 */
import { serveChunks } from '../../core/orderedPool.js';
import { scoreSample, type ScoringItem, type SuiteMetric, type TaskKind } from '../../metrics/taskScoring.js';
import { metricsFromEntries } from '../plugins/metrics.js';
import type { ScoringWorkerData } from './scoringPool.js';

serveChunks(
  async (data): Promise<{ task: TaskKind; metrics: SuiteMetric[] }> => {
    const { task, entries } = data as ScoringWorkerData;
    return { task, metrics: await metricsFromEntries(entries) };
  },
  ({ task, metrics }, items: ScoringItem[]) => items.map((item) => scoreSample(task, metrics, item)),
);
