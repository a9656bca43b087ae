/**
 * sacreBLEU 2.6 BLEU with its defaults: 13a tokens of the rstripped segment, 'exp' smoothing,
 * closest reference length, 0–100 scale (`sacrebleu.corpus_bleu` / `sacrebleu.sentence_bleu`).
 */
import { BLEU_MAX_ORDER, corpusSegmentStats, sumSegmentStats, type BleuSegmentStats } from './stats.js';

export interface SacrebleuOptions {
  /** Average only the orders up to the last one with any hypothesis n-gram (`corpus_bleu` default false, `sentence_bleu` true). */
  readonly effectiveOrder: boolean;
}

/** sacreBLEU `BLEUScore` fields. */
export interface SacrebleuScore {
  readonly score: number;
  readonly counts: readonly number[];
  readonly totals: readonly number[];
  /** Index n-1, in percent. */
  readonly precisions: readonly number[];
  readonly bp: number;
  readonly sysLen: number;
  /** Sum over segments of the closest reference length. */
  readonly refLen: number;
}

/** sacreBLEU `my_log`: log floored at -9999999999 for 0, so a zero precision zeroes the score instead of raising. */
function sacrebleuLog(value: number): number {
  return value === 0 ? -9999999999 : Math.log(value);
}

/** sacreBLEU `BLEU.compute_bleu` with smooth_method='exp' (NIST smoothing, Chen & Cherry 2014 method 3). */
export function sacrebleuFromStats(stats: readonly BleuSegmentStats[], options: SacrebleuOptions): SacrebleuScore {
  const { matches: counts, totals, hypLen: sysLen, refLen } = sumSegmentStats(stats, 'closest');
  const bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const precisions = new Array<number>(BLEU_MAX_ORDER).fill(0);
  const result = { counts, totals, precisions, bp, sysLen, refLen };
  // "Early stop if there are no matches (#141)"
  if (counts.every((count) => count === 0)) return { score: 0, ...result };

  let smoothMteval = 1;
  let effectiveOrder = BLEU_MAX_ORDER;
  for (let n = 0; n < BLEU_MAX_ORDER; n++) {
    const total = totals[n] ?? 0;
    const count = counts[n] ?? 0;
    if (total === 0) break;
    if (options.effectiveOrder) effectiveOrder = n + 1;
    if (count === 0) {
      smoothMteval *= 2;
      precisions[n] = 100 / (smoothMteval * total);
    } else {
      precisions[n] = (100 * count) / total;
    }
  }
  // score = bp * math.exp(sum([my_log(p) for p in precisions[:eff_order]]) / eff_order)
  const logSum = precisions.slice(0, effectiveOrder).reduce((sum, p) => sum + sacrebleuLog(p), 0);
  return { score: bp * Math.exp(logSum / effectiveOrder), ...result };
}

/** `sacrebleu.corpus_bleu(hypotheses, refs)`; unlike sacreBLEU's reference streams, `references[i]` lists every reference of `hypotheses[i]`. */
export function sacrebleuCorpus(hypotheses: readonly string[], references: readonly (readonly string[])[]): SacrebleuScore {
  return sacrebleuFromStats(corpusSegmentStats(hypotheses, references, 'sacrebleu'), { effectiveOrder: false });
}

/** `sacrebleu.sentence_bleu(hypothesis, references)`. */
export function sacrebleuSentence(hypothesis: string, references: readonly string[]): SacrebleuScore {
  return sacrebleuFromStats(corpusSegmentStats([hypothesis], [references], 'sacrebleu'), { effectiveOrder: true });
}
