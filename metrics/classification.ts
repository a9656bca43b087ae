/**
 * Classification metrics with scikit-learn 1.2.1 semantics: accuracy_score, confusion_matrix and
 * precision_recall_fscore_support (average binary / micro / macro / weighted / None, zero_division=0).
 */

export type Label = string | number | boolean;
/** A label as sklearn compares, sorts and reports it: Python's True == 1, so booleans fold to 1 / 0. */
export type ClassLabel = string | number;

export interface PrecisionRecallF1 {
  precision: number;
  recall: number;
  f1: number;
}

export type Average = 'binary' | 'micro' | 'macro' | 'weighted';

export interface PerLabelScores {
  labels: ClassLabel[];
  precision: number[];
  recall: number[];
  f1: number[];
  /** Occurrences of each label in yTrue. */
  support: number[];
}

export interface ClassificationOptions {
  /** Positive class of the binary average (sklearn `pos_label`), default 1. */
  positiveLabel?: Label;
  /** Labels to report, in this order (sklearn `labels`); default: sorted union of yTrue and yPred. */
  labels?: Label[];
}

export interface ClassificationReport {
  labels: ClassLabel[];
  accuracy: number;
  /** sklearn's message where average='binary' raises (more than two labels, or no positive label). */
  binary: PrecisionRecallF1 | { error: string };
  macro: PrecisionRecallF1;
  micro: PrecisionRecallF1;
  weighted: PrecisionRecallF1;
  perLabel: PerLabelScores;
  /** Rows: true label, columns: predicted label, both in `labels` order. */
  confusionMatrix: number[][];
}

/** Targets that passed sklearn's `_check_targets` and `unique_labels`. */
interface CheckedTargets {
  yTrue: ClassLabel[];
  yPred: ClassLabel[];
  /** sorted(set(yTrue) | set(yPred)). */
  presentLabels: ClassLabel[];
}

interface LabelCounts {
  truePositives: number[];
  predicted: number[];
  actual: number[];
}

function toClassLabel(label: Label): ClassLabel {
  return typeof label === 'boolean' ? Number(label) : label;
}

/** Python `str()` of a label, for sklearn's messages. */
function pythonStr(label: Label): string {
  if (typeof label === 'boolean') return label ? 'True' : 'False';
  return String(label);
}

/** Python `repr()` of a label, as it appears inside a printed list. */
function pythonRepr(label: ClassLabel): string {
  if (typeof label === 'number') return String(label);
  const quote = label.includes("'") && !label.includes('"') ? '"' : "'";
  const escaped = label
    .replaceAll('\\', '\\\\')
    .replaceAll(quote, `\\${quote}`)
    .replaceAll('\n', '\\n')
    .replaceAll('\r', '\\r')
    .replaceAll('\t', '\\t');
  return `${quote}${escaped}${quote}`;
}

/** Python's ordering: numbers by value, strings by code point (JS `<` compares UTF-16 units). */
function compareLabels(a: ClassLabel, b: ClassLabel): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const left = String(a);
  const right = String(b);
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const pointA = left.codePointAt(i)!;
    const pointB = right.codePointAt(j)!;
    if (pointA !== pointB) return pointA - pointB;
    i += pointA > 0xffff ? 2 : 1;
    j += pointB > 0xffff ? 2 : 1;
  }
  return (left.length - i) - (right.length - j);
}

/** sklearn `type_of_target` for a 1-D label list; raises as `_assert_all_finite` does for NaN / ±inf. */
function targetType(labels: readonly ClassLabel[], inputName: string): 'binary' | 'multiclass' | 'continuous' {
  let continuous = false;
  for (const label of labels) {
    if (typeof label !== 'number' || Number.isInteger(label)) continue;
    if (Number.isNaN(label)) throw new Error(`Input ${inputName} contains NaN.`);
    if (!Number.isFinite(label)) {
      throw new Error(`Input ${inputName} contains infinity or a value too large for dtype('float64').`);
    }
    continuous = true;
  }
  if (continuous) return 'continuous';
  return new Set(labels).size > 2 ? 'multiclass' : 'binary';
}

/** sklearn `_check_targets` followed by `unique_labels`, for 1-D binary / multiclass input. */
function checkTargets(yTrue: readonly Label[], yPred: readonly Label[]): CheckedTargets {
  if (yTrue.length !== yPred.length) {
    throw new Error(`Found input variables with inconsistent numbers of samples: [${yTrue.length}, ${yPred.length}]`);
  }
  if (yTrue.length === 0) {
    throw new Error('Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 is required.');
  }
  const trueLabels = yTrue.map(toClassLabel);
  const predLabels = yPred.map(toClassLabel);
  const typeTrue = targetType(trueLabels, 'y_true');
  const typePred = targetType(predLabels, 'y_pred');
  if (typeTrue === 'continuous' && typePred === 'continuous') throw new Error('continuous is not supported');
  if (typeTrue === 'continuous' || typePred === 'continuous') {
    throw new Error(`Classification metrics can't handle a mix of ${typeTrue} and ${typePred} targets`);
  }
  const presentLabels = [...new Set([...trueLabels, ...predLabels])];
  assertSingleLabelKind(presentLabels);
  return { yTrue: trueLabels, yPred: predLabels, presentLabels: presentLabels.sort(compareLabels) };
}

/**
 * sklearn `unique_labels` refuses strings mixed with numbers. (Within one Python list numpy would
 * first coerce numbers to strings; we refuse that too rather than compare 1 with '1'.)
 */
function assertSingleLabelKind(labels: readonly ClassLabel[]): void {
  const hasString = labels.some((label) => typeof label === 'string');
  if (hasString && labels.some((label) => typeof label !== 'string')) {
    throw new Error('Mix of label input types (string and number)');
  }
}

function requestedLabels(targets: CheckedTargets, labels: readonly Label[] | undefined): ClassLabel[] {
  if (labels === undefined) return targets.presentLabels;
  if (labels.length === 0) throw new Error("'labels' should contains at least one label.");
  const selected = labels.map(toClassLabel);
  assertSingleLabelKind([...targets.presentLabels, ...selected]);
  return selected;
}

/** Per-label TP, predicted and true counts, one-vs-rest (sklearn `multilabel_confusion_matrix`). */
function countLabels(targets: CheckedTargets, labels: readonly ClassLabel[]): LabelCounts {
  const countsOf = new Map<ClassLabel, { truePositives: number; predicted: number; actual: number }>();
  const countsFor = (label: ClassLabel) => {
    let counts = countsOf.get(label);
    if (counts === undefined) {
      counts = { truePositives: 0, predicted: 0, actual: 0 };
      countsOf.set(label, counts);
    }
    return counts;
  };
  targets.yTrue.forEach((truth, i) => {
    const prediction = targets.yPred[i]!;
    countsFor(truth).actual++;
    countsFor(prediction).predicted++;
    if (truth === prediction) countsFor(truth).truePositives++;
  });
  const selected = labels.map((label) => countsOf.get(label));
  return {
    truePositives: selected.map((counts) => counts?.truePositives ?? 0),
    predicted: selected.map((counts) => counts?.predicted ?? 0),
    actual: selected.map((counts) => counts?.actual ?? 0),
  };
}

/** sklearn `_prf_divide` with zero_division=0. */
function divideOrZero(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/** Per-label precision, recall and F1 as in sklearn `precision_recall_fscore_support` (beta = 1). */
function scoresFromCounts(counts: LabelCounts): { precision: number[]; recall: number[]; f1: number[] } {
  const precision = counts.truePositives.map((tp, i) => divideOrZero(tp, counts.predicted[i]!));
  const recall = counts.truePositives.map((tp, i) => divideOrZero(tp, counts.actual[i]!));
  const f1 = precision.map((p, i) => {
    const r = recall[i]!;
    // sklearn: denom = beta2 * precision + recall, 0 replaced by 1; f = (1 + beta2) * precision * recall / denom.
    const denominator = p + r;
    return (2 * p * r) / (denominator === 0 ? 1 : denominator);
  });
  return { precision, recall, f1 };
}

/** Scores for counts that hold one label (the positive class, or micro's pooled counts). */
function singleLabelScores(counts: LabelCounts): PrecisionRecallF1 {
  const scores = scoresFromCounts(counts);
  return { precision: scores.precision[0]!, recall: scores.recall[0]!, f1: scores.f1[0]! };
}

const NUMPY_PAIRWISE_BLOCK = 128;

/**
 * numpy's float64 sum (`pairwise_sum_DOUBLE`, numpy/core/src/umath/loops_utils.h.src): sequential
 * below 8 terms, eight interleaved accumulators up to 128, halves above, so means match bit for bit.
 */
function numpySum(values: readonly number[], start = 0, count = values.length): number {
  if (count < 8) {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += values[start + i]!;
    return sum;
  }
  if (count <= NUMPY_PAIRWISE_BLOCK) {
    const partial = values.slice(start, start + 8);
    let i = 8;
    for (; i < count - (count % 8); i += 8) {
      for (let k = 0; k < 8; k++) partial[k]! += values[start + i + k]!;
    }
    const [r0, r1, r2, r3, r4, r5, r6, r7] = partial as [number, number, number, number, number, number, number, number];
    // numpy's exact association order.
    let sum = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < count; i++) sum += values[start + i]!;
    return sum;
  }
  let half = Math.floor(count / 2);
  half -= half % 8;
  return numpySum(values, start, half) + numpySum(values, start + half, count - half);
}

/** np.average(values) without weights: sum / n. */
function numpyMean(values: readonly number[]): number {
  return numpySum(values) / values.length;
}

function averageScores(counts: LabelCounts, average: Exclude<Average, 'binary'>): PrecisionRecallF1 {
  if (average === 'micro') {
    return singleLabelScores({
      truePositives: [numpySum(counts.truePositives)],
      predicted: [numpySum(counts.predicted)],
      actual: [numpySum(counts.actual)],
    });
  }
  const scores = scoresFromCounts(counts);
  if (average === 'macro') {
    return { precision: numpyMean(scores.precision), recall: numpyMean(scores.recall), f1: numpyMean(scores.f1) };
  }
  const weights = counts.actual;
  const totalWeight = numpySum(weights);
  // sklearn returns zero_division (0) for every figure when no selected label occurs in yTrue.
  if (totalWeight === 0) return { precision: 0, recall: 0, f1: 0 };
  // np.average(a, weights=w) = sum(a * w) / sum(w).
  const weighted = (values: number[]) => numpySum(values.map((v, i) => v * weights[i]!)) / totalWeight;
  return { precision: weighted(scores.precision), recall: weighted(scores.recall), f1: weighted(scores.f1) };
}

/** sklearn `_check_set_wise_labels` for average='binary': the error message it would raise, if any. */
function binaryAverageError(targets: CheckedTargets, positiveLabel: ClassLabel, shownLabel: Label): string | undefined {
  const present = targets.presentLabels;
  if (present.length > 2) {
    return "Target is multiclass but average='binary'. Please choose another average setting, one of [None, 'micro', 'macro', 'weighted'].";
  }
  if (present.length === 2 && !present.includes(positiveLabel)) {
    return `pos_label=${pythonStr(shownLabel)} is not a valid label. It should be one of [${present.map(pythonRepr).join(', ')}]`;
  }
  return undefined;
}

function binaryScores(targets: CheckedTargets, shownLabel: Label): PrecisionRecallF1 | { error: string } {
  const positiveLabel = toClassLabel(shownLabel);
  const error = binaryAverageError(targets, positiveLabel, shownLabel);
  if (error !== undefined) return { error };
  return singleLabelScores(countLabels(targets, [positiveLabel]));
}

function accuracyOf(targets: CheckedTargets): number {
  const correct = targets.yTrue.filter((truth, i) => truth === targets.yPred[i]).length;
  return correct / targets.yTrue.length;
}

function confusionMatrixOf(targets: CheckedTargets, labels: readonly ClassLabel[]): number[][] {
  if (!labels.some((label) => targets.yTrue.includes(label))) {
    throw new Error('At least one label specified must be in y_true');
  }
  // Later duplicates win, as in sklearn's {label: index} dict.
  const indexOf = new Map(labels.map((label, index) => [label, index]));
  const matrix = labels.map(() => labels.map(() => 0));
  targets.yTrue.forEach((truth, i) => {
    const row = indexOf.get(truth);
    const column = indexOf.get(targets.yPred[i]!);
    // Samples whose true or predicted label is not selected are left out.
    if (row !== undefined && column !== undefined) matrix[row]![column]!++;
  });
  return matrix;
}

/** sklearn `accuracy_score`: fraction of exact matches. */
export function accuracy(yTrue: readonly Label[], yPred: readonly Label[]): number {
  return accuracyOf(checkTargets(yTrue, yPred));
}

/** sklearn `confusion_matrix`: C[i][j] = samples with true labels[i] predicted labels[j]. */
export function confusionMatrix(yTrue: readonly Label[], yPred: readonly Label[], labels?: readonly Label[]): number[][] {
  const targets = checkTargets(yTrue, yPred);
  return confusionMatrixOf(targets, requestedLabels(targets, labels));
}

/**
 * sklearn `precision_recall_fscore_support(average=..., zero_division=0)` without support; throws
 * sklearn's ValueError message where average='binary' does not apply.
 */
export function precisionRecallF1(
  yTrue: readonly Label[],
  yPred: readonly Label[],
  options: ClassificationOptions & { average: Average },
): PrecisionRecallF1 {
  const targets = checkTargets(yTrue, yPred);
  if (options.average === 'binary') {
    const scores = binaryScores(targets, options.positiveLabel ?? 1);
    if ('error' in scores) throw new Error(scores.error);
    return scores;
  }
  return averageScores(countLabels(targets, requestedLabels(targets, options.labels)), options.average);
}

/** Everything sklearn reports for one set of predictions, computed from a single validation pass. */
export function classificationReport(
  yTrue: readonly Label[],
  yPred: readonly Label[],
  options: ClassificationOptions = {},
): ClassificationReport {
  const targets = checkTargets(yTrue, yPred);
  const labels = requestedLabels(targets, options.labels);
  const counts = countLabels(targets, labels);
  return {
    labels,
    accuracy: accuracyOf(targets),
    binary: binaryScores(targets, options.positiveLabel ?? 1),
    macro: averageScores(counts, 'macro'),
    micro: averageScores(counts, 'micro'),
    weighted: averageScores(counts, 'weighted'),
    perLabel: { labels, ...scoresFromCounts(counts), support: counts.actual },
    confusionMatrix: confusionMatrixOf(targets, labels),
  };
}
