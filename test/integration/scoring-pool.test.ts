// Issue #12: the harness scores stored samples on worker threads (harness/run/scoringPool.ts). The
// workers must give the very numbers one thread gives, built-in text metrics and plugins alike.
// The pool runs the built worker script, so this imports dist/ as the CLI does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHarnessCases } from '../../bench/harnessCases.js';
import type * as PoolModule from '../../harness/run/scoringPool.js';
import type * as PluginsModule from '../../harness/plugins/metrics.js';
import type * as ScoringModule from '../../metrics/taskScoring.js';
import type { ScoringItem } from '../../metrics/taskScoring.js';
import type { MetricDefinition } from '../../metrics/definition.js';

const dist = (module: string) => new URL(`../../dist/${module}`, import.meta.url).href;
const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-scoring-pool-'));
let pool: typeof PoolModule;
let plugins: typeof PluginsModule;
let scoring: typeof ScoringModule;
const threshold = process.env.LOGBENCH_WORKER_MIN_ITEMS;

beforeAll(async () => {
  [pool, plugins, scoring] = await Promise.all([import(dist('harness/run/scoringPool.js')), import(dist('harness/plugins/metrics.js')), import(dist('metrics/taskScoring.js'))]);
  process.env.LOGBENCH_WORKER_MIN_ITEMS = '0';
});
afterAll(() => {
  if (threshold === undefined) delete process.env.LOGBENCH_WORKER_MIN_ITEMS;
  else process.env.LOGBENCH_WORKER_MIN_ITEMS = threshold;
  rmSync(dir, { recursive: true, force: true });
});

/** Answers that share some words with their references and miss others; a few failed, a few empty. */
function textItems(n: number): ScoringItem[] {
  const cases = makeHarnessCases(n + 1);
  return cases.slice(0, n).map((c, i) => {
    const other = (cases[i + 1] as (typeof cases)[number]).reference;
    const output = i % 17 === 0 ? '' : `${c.reference.slice(0, (i * 37) % c.reference.length)} ${other.slice(0, 40)}`;
    return { output: i % 23 === 0 ? null : output, reference: c.reference, failed: i % 23 === 0 };
  });
}

/** The first sample whose scores differ, shown as JSON; none when pooled and single-thread scores are equal (Object.is on every number). */
function firstDifference(a: readonly unknown[], b: readonly unknown[]): string | undefined {
  if (a.length !== b.length) return `${a.length} vs ${b.length} samples`;
  const at = a.findIndex((scores, i) => !isDeepStrictEqual(scores, b[i]));
  return at === -1 ? undefined : `sample ${at}: ${JSON.stringify(a[at])} vs ${JSON.stringify(b[at])}`;
}

describe('scoreItems on worker threads', () => {
  it('gives the scores one thread gives for BLEU, sacreBLEU, ROUGE, chrF, fuzzy and Levenshtein', async () => {
    const metrics = ['bleu', 'sacrebleu', 'rouge', 'chrf', 'fuzzy', 'levenshtein'];
    const items = textItems(600);
    expect(pool.scoringThreads('text', metrics, items.length, 2)).toBe(2);
    const pooled = await pool.scoreItems('text', metrics, items, 2);
    const single = items.map((item) => scoring.scoreSample('text', metrics, item));
    expect(firstDifference(pooled, single)).toBeUndefined();
    expect(Object.keys(single[1]?.values ?? {})).toEqual(expect.arrayContaining(['sentence_bleu', 'rougeL', 'chrf', 'fuzzy']));
  });

  it('gives the scores one thread gives for a plugin metric, loaded again by each worker', async () => {
    writeFileSync(
      path.join(dir, 'words.ts'),
      `import { isMainThread } from 'node:worker_threads';
export default {
  name: 'shared_words', description: 'share of reference words in the answer', plainState: true,
  figures: [{ name: 'shared_words', higherIsBetter: true, range: [0, 1] }],
  sampleFigures: [{ name: 'shared_words', higherIsBetter: true, range: [0, 1] }, { name: 'on_worker', higherIsBetter: true, range: [0, 1] }],
  score: ({ output, references }) => {
    const words = new Set(output.split(/\\s+/));
    const wanted = references[0].split(/\\s+/);
    return { share: wanted.filter((w) => words.has(w)).length / wanted.length, onWorker: isMainThread ? 0 : 1 };
  },
  sampleValues: (s) => ({ shared_words: s.share, on_worker: s.onWorker }),
  corpus: (ss) => ({ shared_words: ss.reduce((a, s) => a + s.share, 0) / ss.length }),
  statistics: (ss) => ({}),
};
`,
    );
    const { metrics } = await plugins.resolveMetricEntries(['rouge', { module: './words.ts' }], dir);
    const items = textItems(300);
    const pooled = await pool.scoreItems('text', metrics, items, 2);
    const single = items.map((item) => scoring.scoreSample('text', metrics, item));
    // Workers did score some samples (their marker is the only value allowed to differ) ...
    expect(pooled.some((s) => s.values['on_worker'] === 1)).toBe(true);
    const withoutMarker = (all: typeof pooled) => all.map((s) => ({ ...s, values: { ...s.values, on_worker: null }, states: { ...s.states, shared_words: { ...(s.states?.['shared_words'] as object), onWorker: null } } }));
    // ... and every other number is the one this thread computes.
    expect(firstDifference(withoutMarker(pooled), withoutMarker(single))).toBeUndefined();
  });

  it('scores on the main thread the chunks whose plugin state a worker cannot post (a function in it)', async () => {
    writeFileSync(
      path.join(dir, 'closure.ts'),
      `const unit = (n) => n + ' characters';
export default {
  name: 'with_closure', description: 'keeps a function in its state', plainState: true,
  figures: [{ name: 'chars', higherIsBetter: true, range: [0, Infinity] }], sampleFigures: [{ name: 'chars', higherIsBetter: true, range: [0, Infinity] }],
  score: ({ output }) => ({ n: output.length, unit }),
  sampleValues: (s) => ({ chars: s.n }), corpus: (ss) => ({ chars: ss.length }), statistics: () => ({}),
};
`,
    );
    const { metrics } = await plugins.resolveMetricEntries(['fuzzy', { module: './closure.ts' }], dir);
    const items = textItems(100);
    const pooled = await pool.scoreItems('text', metrics, items, 2);
    const single = items.map((item) => scoring.scoreSample('text', metrics, item));
    expect(firstDifference(pooled, single)).toBeUndefined();
  });

  it('keeps a plugin that does not say its state is plain data on the main thread: a sentinel compared by identity keeps its figure', async () => {
    writeFileSync(
      path.join(dir, 'sentinel.ts'),
      `import { isMainThread } from 'node:worker_threads';
const SKIP = { skip: true };
export default {
  name: 'odd_chars', description: 'mean length of odd-length answers',
  figures: [{ name: 'odd_chars', higherIsBetter: true, range: [0, Infinity] }],
  sampleFigures: [{ name: 'odd_on_worker', higherIsBetter: true, range: [0, 1] }],
  score: ({ output }) => (output.length % 2 === 0 ? SKIP : { n: output.length, onWorker: isMainThread ? 0 : 1 }),
  sampleValues: (s) => ({ odd_on_worker: s === SKIP ? 0 : s.onWorker }),
  corpus: (ss) => { const kept = ss.filter((s) => s !== SKIP); return { odd_chars: kept.length ? kept.reduce((a, s) => a + s.n, 0) / kept.length : null }; },
  statistics: () => ({}),
};
`,
    );
    const { metrics } = await plugins.resolveMetricEntries(['rouge', { module: './sentinel.ts' }], dir);
    const items = textItems(300);
    expect(pool.scoringThreads('text', metrics, items.length, 2)).toBe(1);
    const pooled = await pool.scoreItems('text', metrics, items, 2);
    expect(pooled.every((s) => s.values['odd_on_worker'] === 0)).toBe(true);
    const single = items.map((item) => scoring.scoreSample('text', metrics, item));
    expect(firstDifference(pooled, single)).toBeUndefined();
    const [definition] = metrics.filter((m) => typeof m !== 'string') as MetricDefinition[];
    expect(definition?.corpus(pooled.map((s) => s.states?.['odd_chars']))).toEqual(definition?.corpus(single.map((s) => s.states?.['odd_chars'])));
  });

  it('rejects with the message one thread throws when a plugin metric throws inside a worker', async () => {
    writeFileSync(
      path.join(dir, 'throws.ts'),
      `export default {
  name: 'picky', description: 'throws on long answers', plainState: true,
  figures: [{ name: 'picky', higherIsBetter: true, range: [0, 1] }], sampleFigures: [],
  score: ({ output }) => { if (output.length > 5) throw new Error('answer too long: ' + output.length); return 1; },
  sampleValues: () => ({}), corpus: () => ({ picky: 1 }), statistics: () => ({}),
};
`,
    );
    const { metrics } = await plugins.resolveMetricEntries([{ module: './throws.ts' }], dir);
    const items = textItems(200);
    const alone = (() => {
      try {
        items.map((item) => scoring.scoreSample('text', metrics, item));
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(alone).toMatch(/^plugin metric picky: score failed: answer too long: \d+$/);
    await expect(pool.scoreItems('text', metrics, items, 2)).rejects.toThrow(alone as string);
  });

  it('keeps one thread for a label task and below the threshold', () => {
    expect(pool.scoringThreads('classification', ['classification'], 100_000, 4)).toBe(1);
    process.env.LOGBENCH_WORKER_MIN_ITEMS = '';
    expect(pool.scoringThreads('text', ['rouge'], pool.WORKER_MIN_ITEMS - 1, 4)).toBe(1);
    expect(pool.scoringThreads('text', ['rouge'], pool.WORKER_MIN_ITEMS, 4)).toBe(4);
    process.env.LOGBENCH_WORKER_MIN_ITEMS = '0';
  });
});
