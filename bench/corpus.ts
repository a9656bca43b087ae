/**
 * Deterministic synthetic log-analysis texts for benchmarks: a reference analysis (~1,500 characters
 * of cause / remediation prose quoting log lines) and a prediction that paraphrases it the way a
 * fine-tuned model would (dropped, swapped and substituted words, reordered bullets).
 */
import { seededRandom } from '../datasets/seeded.js';

const SENTENCES = [
  'Repeated authentication failures for user {user} from {ip} indicate a brute force attempt against sshd.',
  'The kernel reported an EXT4-fs error on device sda{n} while reading directory block {n2}.',
  'Data block {blk} was replicated to {n} datanodes but the pipeline timed out after {n2} ms.',
  'mod_jk child workerEnv entered an error state {n} times within the sampled window.',
  'Instruction cache parity errors were corrected on node R{n}-M{n2}, which suggests failing hardware.',
  'The scheduler restarted job {n} after the executor lost its heartbeat for {n2} seconds.',
  'Disk usage on /var reached {n} percent and log rotation failed with permission denied.',
  'Connection reset by peer {ip} occurred while the service was handling {n} concurrent requests.',
  'A segfault in process {user}[{n}] at address 0x{hex} terminated the worker unexpectedly.',
  'Memory pressure triggered the OOM killer, which stopped process {user} with score {n}.',
];
const REMEDIATIONS = [
  'Block the source address {ip} in the firewall and enforce key-based authentication.',
  'Run fsck on /dev/sda{n} during the next maintenance window and check SMART counters.',
  'Increase dfs.client.socket-timeout and inspect the network path between datanodes.',
  'Restart the Apache worker pool and review the mod_jk connector configuration.',
  'Schedule replacement of the affected node card and drain running jobs from R{n}.',
  'Raise the heartbeat timeout and check executor memory settings for job {n}.',
  'Free space on /var, fix the logrotate permissions and add a disk usage alert at 80 percent.',
  'Review load balancer limits and enable connection keep-alive on the upstream {ip}.',
];
const USERS = ['root', 'admin', 'oracle', 'postgres', 'hdfs', 'www-data', 'test', 'backup'];
const SYNONYMS: Record<string, string> = {
  indicate: 'suggest',
  reported: 'logged',
  failures: 'failed attempts',
  occurred: 'happened',
  terminated: 'killed',
  unexpectedly: 'abruptly',
  increase: 'raise',
  review: 'check',
  replacement: 'swap',
  error: 'failure',
};

function fill(template: string, rnd: () => number): string {
  const int = (k: number) => Math.floor(rnd() * k);
  return template
    .replaceAll('{user}', () => USERS[int(USERS.length)] as string)
    .replaceAll('{ip}', () => `10.${int(255)}.${int(255)}.${int(255)}`)
    .replaceAll('{n}', () => String(int(64)))
    .replaceAll('{n2}', () => String(int(100_000)))
    .replaceAll('{blk}', () => `blk_${int(2 ** 31)}`)
    .replaceAll('{hex}', () => int(2 ** 31).toString(16));
}

function reference(rnd: () => number, targetChars: number): string {
  const parts: string[] = [];
  let length = 0;
  while (length < targetChars) {
    const pool = parts.length % 3 === 2 ? REMEDIATIONS : SENTENCES;
    const line = (parts.length % 3 === 2 ? 'Remediation - ' : 'Cause - ') + fill(pool[Math.floor(rnd() * pool.length)] as string, rnd);
    parts.push(line);
    length += line.length + 1;
  }
  return parts.join('\n');
}

function paraphrase(text: string, rnd: () => number): string {
  const lines = text.split('\n').map((line) => {
    const words = line.split(' ');
    const out: string[] = [];
    for (const word of words) {
      const r = rnd();
      if (r < 0.04) continue; // dropped word
      if (r < 0.1 && SYNONYMS[word.toLowerCase()]) out.push(SYNONYMS[word.toLowerCase()] as string);
      else if (r < 0.13) out.push(word, USERS[Math.floor(rnd() * USERS.length)] as string);
      else out.push(word);
    }
    return out.join(' ');
  });
  if (lines.length > 2 && rnd() < 0.5) [lines[0], lines[1]] = [lines[1] as string, lines[0] as string];
  return lines.join('\n');
}

export interface TextPair {
  prediction: string;
  reference: string;
}

/** `count` pairs whose references average about `targetChars` characters; the same seed gives the same pairs. */
export function makeTextPairs(count: number, targetChars = 1500, seed = 20240611): TextPair[] {
  const rnd = seededRandom(seed);
  const pairs: TextPair[] = [];
  for (let i = 0; i < count; i++) {
    const ref = reference(rnd, targetChars);
    pairs.push({ prediction: paraphrase(ref, rnd), reference: ref });
  }
  return pairs;
}
