import { canonicalJson } from '../hash.js';
import type { StoredRun } from '../store/index.js';

/** One reason two runs did not measure the same thing: a paired comparison of them means nothing. */
export interface RunDifference {
  what: 'task' | 'split' | 'prompt' | 'decoding' | 'samples';
  candidate: string;
  baseline: string;
}

const SHOWN_HASH_CHARS = 12;
const SHOWN_JSON_CHARS = 80;

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
  check('decoding', canonicalJson(candidate.decoding), canonicalJson(baseline.decoding), (text) => shortened(text, SHOWN_JSON_CHARS));
  return differences;
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
    decoding: 'decoding parameters differ',
    samples: 'predicted samples differ',
  };
  return differences.map((d) => `${label[d.what]} (candidate ${d.candidate}, baseline ${d.baseline})`).join('; ');
}
