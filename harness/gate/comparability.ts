import { canonicalJson } from '../../core/hash.js';
import type { StoredRun } from '../store/index.js';

/** One reason two runs did not measure the same thing: a paired comparison of them means nothing. */
export interface RunDifference {
  what: 'task' | 'split' | 'prompt' | 'decoding' | 'samples';
  candidate: string;
  baseline: string;
  /** For decoding: each parameter that differs, with both values, so the message names it. */
  keys?: { key: string; candidate: string; baseline: string }[];
}

const SHOWN_HASH_CHARS = 12;
const SHOWN_VALUE_CHARS = 40;

function shortened(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/** Task, split hash, prompt hash and decoding parameters must match; model identity may (and should) differ. */
export function runDifferences(candidate: StoredRun, baseline: StoredRun): RunDifference[] {
  const differences: RunDifference[] = [];
  const check = (what: RunDifference['what'], a: string, b: string, shown: (text: string) => string) => {
    if (a !== b) differences.push({ what, candidate: shown(a), baseline: shown(b) });
  };
  const hash = (text: string) => shortened(text, SHOWN_HASH_CHARS);
  check('task', candidate.task, baseline.task, (text) => text);
  check('split', candidate.splitHash, baseline.splitHash, hash);
  check('prompt', candidate.promptHash ?? 'none', baseline.promptHash ?? 'none', hash);
  const keys = decodingDifferences(candidate.decoding, baseline.decoding);
  if (keys.length > 0) differences.push({ what: 'decoding', candidate: canonicalJson(candidate.decoding), baseline: canonicalJson(baseline.decoding), keys });
  return differences;
}

/** The decoding parameters whose values differ, by name; a parameter only one run sets shows as "unset" on the other. */
function decodingDifferences(candidate: Record<string, unknown>, baseline: Record<string, unknown>): NonNullable<RunDifference['keys']> {
  const shown = (decoding: Record<string, unknown>, key: string) => (key in decoding ? shortened(canonicalJson(decoding[key]), SHOWN_VALUE_CHARS) : 'unset');
  return [...new Set([...Object.keys(candidate), ...Object.keys(baseline)])]
    .sort()
    .filter((key) => !(key in candidate && key in baseline && canonicalJson(candidate[key]) === canonicalJson(baseline[key])))
    .map((key) => ({ key, candidate: shown(candidate, key), baseline: shown(baseline, key) }));
}

/** Same split, but a paired test also needs predictions for the same samples (a `--limit` or `--shard` run has fewer). */
export function sampleDifference(candidateIds: readonly string[], baselineIds: readonly string[]): RunDifference | null {
  const baseline = new Set(baselineIds);
  const shared = candidateIds.filter((id) => baseline.has(id)).length;
  if (shared === candidateIds.length && shared === baselineIds.length) return null;
  return { what: 'samples', candidate: `${candidateIds.length} samples`, baseline: `${baselineIds.length} samples, ${shared} in both` };
}

export function describeDifferences(differences: readonly RunDifference[]): string {
  const label: Record<RunDifference['what'], string> = {
    task: 'task differs',
    split: 'split hash differs',
    prompt: 'prompt hash differs',
    decoding: 'decoding differs',
    samples: 'predicted samples differ',
  };
  return differences
    .map((d) =>
      d.keys ? `decoding differs (candidate vs baseline): ${d.keys.map((k) => `${k.key} ${k.candidate} vs ${k.baseline}`).join(', ')}` : `${label[d.what]} (candidate ${d.candidate}, baseline ${d.baseline})`,
    )
    .join('; ');
}
