/**
 * `npm run bench:side-by-side -- --base DIR --bench harness|metrics|report|shards [--rounds N]`: one bench
 * script of another built checkout (DIR, e.g. a `git worktree` of the previous commit after
 * `npm run build` there) and of this one, run alternately round after round on the same machine, so
 * drift and noise hit both alike. Prints each figure's median for both and their ratio (this / base).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './measureProcess.js';

function flag(name: string, fallback?: string): string {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? fallback : process.argv[at + 1];
  if (value === undefined) throw new Error(`--${name} is required (usage: --base DIR --bench harness|metrics|report|shards [--rounds N])`);
  return value;
}

const bench = flag('bench');
const rounds = Number(flag('rounds', '5'));
if (!['harness', 'metrics', 'report', 'shards'].includes(bench) || !Number.isInteger(rounds) || rounds < 1) throw new Error('--bench harness|metrics|report|shards, --rounds a positive integer');
const thisRoot = fileURLToPath(new URL('../..', import.meta.url));
const trees = { base: path.resolve(flag('base')), this: thisRoot };
for (const [name, root] of Object.entries(trees)) {
  if (!existsSync(path.join(root, 'dist/bench', `${bench}.js`))) throw new Error(`${name}: ${root}/dist/bench/${bench}.js is missing (npm run build there)`);
}

/** Every number in a bench's JSON output, by its dotted path: the `_all` lists of single runs are skipped. */
function figures(value: unknown, prefix = '', out = new Map<string, number>()): Map<string, number> {
  if (typeof value === 'number') out.set(prefix, value);
  else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, member] of Object.entries(value)) figures(member, prefix ? `${prefix}.${key}` : key, out);
  }
  return out;
}

function runBench(root: string): Map<string, number> {
  // One repeat per round: the rounds are the repeats, interleaved between the two trees.
  const result = spawnSync(process.execPath, [path.join(root, 'dist/bench', `${bench}.js`)], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, BENCH_REPEATS: '1', BENCH_SKIP_100K: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`${root}: bench:${bench} failed (${result.status}): ${result.stderr.slice(-2000)}`);
  const json = result.stdout.slice(result.stdout.indexOf('{'));
  return figures(JSON.parse(json));
}

const samples = { base: new Map<string, number[]>(), this: new Map<string, number[]>() };
for (let round = 0; round < rounds; round++) {
  // Alternate which tree goes first, so neither always follows the other's warm-up.
  const order = round % 2 === 0 ? (['base', 'this'] as const) : (['this', 'base'] as const);
  for (const tree of order) {
    for (const [key, value] of runBench(trees[tree])) samples[tree].set(key, [...(samples[tree].get(key) ?? []), value]);
  }
  process.stderr.write(`round ${round + 1}/${rounds} done\n`);
}

const rows: Record<string, { base: number; this: number; ratio: number | null }> = {};
for (const [key, values] of samples.this) {
  const base = samples.base.get(key);
  if (base === undefined || values.length !== rounds || base.length !== rounds) continue;
  const a = median(base);
  const b = median(values);
  rows[key] = { base: a, this: b, ratio: a === 0 ? null : Number((b / a).toFixed(3)) };
}
console.log(JSON.stringify({ bench, rounds, cpus: os.cpus().length, node: process.version, base: trees.base, medians: rows }, null, 2));
