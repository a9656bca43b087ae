/**
 * Training targets for the tiny causal LM: the rules baseline's cause/remediation answer for each log
 * line, without the quoted excerpt ("Cause - <rule>\nRemediation - <advice>"), which a model this
 * small cannot copy. A filter: JSON lines `{"line": string}` on stdin, `{"line", "target"}` on stdout.
 * train_causal_lm_tiny.py and train_offline_lm_tiny.py run it with tsx; not part of the package build.
 */
import { createInterface } from 'node:readline';
import { RulesBaselineRunner } from '../../harness/runners/rules.js';

const CAUSE_EXCERPT = /^(Cause - [^:\n]+): [^\n]*\n/;

async function main(): Promise<void> {
  const rules = new RulesBaselineRunner({ task: 'cause-remediation' });
  for await (const row of createInterface({ input: process.stdin })) {
    const { line } = JSON.parse(row) as { line: string };
    const [prediction] = await rules.runBatch([{ sample: { id: 'line', input: line, meta: {} }, messages: [] }]);
    const target = (prediction?.text ?? '').replace(CAUSE_EXCERPT, '$1\n');
    process.stdout.write(`${JSON.stringify({ line, target })}\n`);
  }
}

await main();
