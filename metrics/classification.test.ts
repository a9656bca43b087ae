import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  accuracy,
  classificationReport,
  confusionMatrix,
  precisionRecallF1,
  type ClassificationReport,
  type PrecisionRecallF1,
} from './classification.js';

const GoldenLabel = z.union([z.string(), z.number()]);
const GoldenScores = z.object({ precision: z.number(), recall: z.number(), f1: z.number() });
const GoldenCase = z.object({
  id: z.string(),
  description: z.string(),
  y_true: z.array(GoldenLabel),
  y_pred: z.array(GoldenLabel),
  labels: z.array(GoldenLabel),
  accuracy: z.number(),
  binary_pos1: z.union([GoldenScores, z.object({ error: z.string(), message: z.string() })]),
  macro: GoldenScores,
  micro: GoldenScores,
  weighted: GoldenScores,
  per_label: z.object({
    labels: z.array(GoldenLabel),
    precision: z.array(z.number()),
    recall: z.array(z.number()),
    f1: z.array(z.number()),
    support: z.array(z.number().int()),
  }),
  confusion_matrix: z.array(z.array(z.number().int())),
});
type GoldenCase = z.infer<typeof GoldenCase>;
const golden = z
  .object({ cases: z.array(GoldenCase) })
  .parse(JSON.parse(readFileSync(new URL('../test/fixtures/golden/classification.public.json', import.meta.url), 'utf8')));

const TOLERANCE = 1e-12;

function expectClose(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(TOLERANCE);
}

function expectScores(actual: PrecisionRecallF1, expected: PrecisionRecallF1): void {
  expectClose(actual.precision, expected.precision);
  expectClose(actual.recall, expected.recall);
  expectClose(actual.f1, expected.f1);
}

function expectGoldenReport(report: ClassificationReport, expected: GoldenCase): void {
  expect(report.labels).toEqual(expected.labels);
  expectClose(report.accuracy, expected.accuracy);
  if ('error' in expected.binary_pos1) {
    expect(report.binary).toEqual({ error: expected.binary_pos1.message });
  } else {
    expect('error' in report.binary).toBe(false);
    expectScores(report.binary as PrecisionRecallF1, expected.binary_pos1);
  }
  expectScores(report.macro, expected.macro);
  expectScores(report.micro, expected.micro);
  expectScores(report.weighted, expected.weighted);
  expect(report.perLabel.labels).toEqual(expected.per_label.labels);
  expect(report.perLabel.support).toEqual(expected.per_label.support);
  for (const field of ['precision', 'recall', 'f1'] as const) {
    expect(report.perLabel[field]).toHaveLength(expected.per_label[field].length);
    report.perLabel[field].forEach((value, i) => expectClose(value, expected.per_label[field][i]!));
  }
  expect(report.confusionMatrix).toEqual(expected.confusion_matrix);
}

describe('golden scikit-learn 1.2.1 cases', () => {
  it('has all 40 cases', () => {
    expect(golden.cases).toHaveLength(40);
  });

  it.each(golden.cases.map((c) => [c.id, c.description, c] as const))('%s %s', (_id, _description, expected) => {
    expectGoldenReport(classificationReport(expected.y_true, expected.y_pred), expected);
    expectClose(accuracy(expected.y_true, expected.y_pred), expected.accuracy);
    expect(confusionMatrix(expected.y_true, expected.y_pred)).toEqual(expected.confusion_matrix);
    for (const average of ['macro', 'micro', 'weighted'] as const) {
      expectScores(precisionRecallF1(expected.y_true, expected.y_pred, { average }), expected[average]);
    }
    const binary = expected.binary_pos1;
    if ('error' in binary) {
      expect(() => precisionRecallF1(expected.y_true, expected.y_pred, { average: 'binary' })).toThrow(binary.message);
    } else {
      expectScores(precisionRecallF1(expected.y_true, expected.y_pred, { average: 'binary' }), binary);
    }
  });

  it('folds booleans into 1 / 0 as Python does (A_c19 given as True / False)', () => {
    const expected = golden.cases.find((c) => c.id === 'A_c19')!;
    const asBoolean = (labels: (string | number)[]) => labels.map((label) => label === 1);
    const report = classificationReport(asBoolean(expected.y_true), asBoolean(expected.y_pred));
    expectGoldenReport(report, expected);
    // Mixed spellings of the same class count as one label.
    const mixed = classificationReport(asBoolean(expected.y_true), expected.y_pred);
    expectGoldenReport(mixed, expected);
    expectScores(
      precisionRecallF1(asBoolean(expected.y_true), asBoolean(expected.y_pred), { average: 'binary', positiveLabel: true }),
      expected.binary_pos1 as PrecisionRecallF1,
    );
  });
});

describe('numpy summation order', () => {
  // 11 labels: numpy's pairwise sum differs from a left-to-right sum in the last bit (values from numpy).
  const yTrue = [3, 0, 8, 0, 2, 3, 0, 0, 10, 2, 5, 3, 1, 5, 7, 5, 4, 6, 4, 5, 3, 3, 5, 5, 3, 4, 8, 6, 3, 9, 7, 6, 7, 1, 7, 9, 5, 7, 9, 5, 10, 7, 6, 1, 7, 0, 3, 2, 8, 2, 9, 0, 4, 8, 7, 2, 1, 1, 6, 0];
  const yPred = [3, 8, 8, 3, 2, 5, 0, 0, 10, 6, 5, 1, 4, 5, 7, 5, 4, 1, 4, 5, 4, 3, 5, 5, 0, 4, 8, 6, 3, 9, 7, 10, 7, 1, 7, 6, 5, 7, 4, 5, 10, 6, 6, 1, 5, 8, 3, 2, 8, 2, 9, 0, 4, 8, 7, 2, 1, 2, 8, 1];

  it('matches np.mean bit for bit in the macro average', () => {
    expect(precisionRecallF1(yTrue, yPred, { average: 'macro' })).toEqual({
      precision: 0.7145021645021645,
      recall: 0.7253246753246753,
      f1: 0.688503415776143,
    });
  });

  it('matches np.average(weights=support) bit for bit in the weighted average', () => {
    expect(precisionRecallF1(yTrue, yPred, { average: 'weighted' })).toEqual({
      precision: 0.7409126984126985,
      recall: 0.7,
      f1: 0.692027232027232,
    });
  });
});

describe('options', () => {
  it('selects and orders labels like sklearn `labels=`', () => {
    const report = classificationReport([0, 1, 2, 2], [0, 2, 2, 1], { labels: [2, 0] });
    expect(report.labels).toEqual([2, 0]);
    expect(report.confusionMatrix).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(report.perLabel).toEqual({ labels: [2, 0], precision: [0.5, 1], recall: [0.5, 1], f1: [0.5, 1], support: [2, 1] });
    // Micro pools the selected labels only: TP 2, predicted 3, true 3.
    expect(report.micro).toEqual({ precision: 2 / 3, recall: 2 / 3, f1: ((2 * (2 / 3)) * (2 / 3)) / (4 / 3) });
    expect(report.accuracy).toBe(0.5);
  });

  it('reports zeros for a requested label that never occurs', () => {
    const report = classificationReport(['a', 'b'], ['a', 'a'], { labels: ['z', 'a'] });
    expect(report.perLabel).toEqual({ labels: ['z', 'a'], precision: [0, 0.5], recall: [0, 1], f1: [0, 2 / 3], support: [0, 1] });
    expect(report.confusionMatrix).toEqual([
      [0, 0],
      [0, 1],
    ]);
    expect(precisionRecallF1(['a', 'b'], ['a', 'a'], { average: 'weighted', labels: ['z'] })).toEqual({
      precision: 0,
      recall: 0,
      f1: 0,
    });
  });

  it('uses positiveLabel for the binary average', () => {
    const yTrue = ['alert', 'ok', 'alert', 'ok'];
    const yPred = ['alert', 'alert', 'ok', 'ok'];
    expect(classificationReport(yTrue, yPred, { positiveLabel: 'alert' }).binary).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(classificationReport(yTrue, yPred).binary).toEqual({
      error: "pos_label=1 is not a valid label. It should be one of ['alert', 'ok']",
    });
    expect(() => precisionRecallF1([0, 2], [2, 0], { average: 'binary', positiveLabel: true })).toThrow(
      'pos_label=True is not a valid label. It should be one of [0, 2]',
    );
  });

  it('sorts string labels by code point, as Python does', () => {
    // UTF-16 order would put the emoji (0xD83D…) before U+FF61.
    const report = classificationReport(['😀', '\uff61', 'b'], ['\uff61', '\uff61', 'b']);
    expect(report.labels).toEqual(['b', '\uff61', '😀']);
    expect(report.confusionMatrix).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 1, 0],
    ]);
  });
});

describe('input errors raise as sklearn does', () => {
  it('rejects length mismatch and empty input', () => {
    expect(() => accuracy([0, 1, 1], [0, 1])).toThrow('Found input variables with inconsistent numbers of samples: [3, 2]');
    expect(() => classificationReport([], [])).toThrow('Found array with 0 sample(s)');
    expect(() => confusionMatrix([], [])).toThrow('Found array with 0 sample(s)');
  });

  it('rejects strings mixed with numbers', () => {
    expect(() => classificationReport(['a', 'b'], [0, 1])).toThrow('Mix of label input types (string and number)');
    expect(() => accuracy(['a', 1], ['a', 1])).toThrow('Mix of label input types (string and number)');
    expect(() => confusionMatrix(['a'], [true])).toThrow('Mix of label input types (string and number)');
    expect(() => confusionMatrix([0, 1], [0, 1], ['a'])).toThrow('Mix of label input types (string and number)');
  });

  it('rejects continuous and non-finite targets', () => {
    expect(() => accuracy([0.5, 1], [0.5, 1])).toThrow('continuous is not supported');
    expect(() => accuracy([0, 1, 2], [0.5, 1, 2])).toThrow("Classification metrics can't handle a mix of multiclass and continuous targets");
    expect(() => accuracy([0, Number.NaN], [0, 1])).toThrow('Input y_true contains NaN.');
    expect(() => accuracy([0, 1], [0, Number.POSITIVE_INFINITY])).toThrow('Input y_pred contains infinity');
    // Integral floats are ordinary labels.
    expect(accuracy([1.0, 2], [1, 2.0])).toBe(1);
  });

  it('rejects unusable `labels`', () => {
    expect(() => confusionMatrix([0, 1], [0, 1], [])).toThrow("'labels' should contains at least one label.");
    expect(() => confusionMatrix([0, 1], [0, 1], [7])).toThrow('At least one label specified must be in y_true');
    expect(() => classificationReport([0, 1], [0, 2], { labels: [2] })).toThrow('At least one label specified must be in y_true');
  });
});
