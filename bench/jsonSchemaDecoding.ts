/**
 * `npm run bench:json-schema`: what `json_schema` decoding costs with the shipped tiny causal LM
 * (byte-level BPE, 1,024 tokens) and FPT's response schema (prompts/fpt_response_schema.json).
 * 1. The token table, built once per tokenizer.
 * 2. The mask alone, per generation step and row: a document of FPT's shape fed token by token,
 *    each step's mask computed and written into a logits row, median and slowest step of
 *    BENCH_REPEATS (5) passes.
 * 3. Generation with and without the mask: the same 8 prompts in batches of 4, median of
 *    BENCH_REPEATS passes after a warm-up, interleaved; compared per generated token, since the
 *    unconstrained model writes shorter answers (wall and this process's CPU time; its rows end
 *    early, the constrained ones run all max_tokens steps, so this overstates the mask's share),
 *    and the median mask time per row and step inside generation.
 * Prints one JSON object.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutoTokenizer } from '@huggingface/transformers';
import type { RenderedRequest } from '../core/prediction.js';
import { compileJsonSchema } from '../harness/runners/jsonSchemaDecoding/schema.js';
import { JsonSchemaMask, tokenTable } from '../harness/runners/jsonSchemaDecoding/tokenMask.js';
import { TransformersRunner, type TransformersDecoding } from '../harness/runners/transformers.js';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const MODEL = path.join(REPO, 'models/alsate-rules-lm-tiny');
const FPT = JSON.parse(readFileSync(path.join(REPO, 'prompts/fpt_response_schema.json'), 'utf8')) as { name: string; schema: Record<string, unknown> };
const DOCUMENT = '{"risk_score":7,"should_alert_user":true,"messages":{"critical":[3,12],"warning":[5]},"summary":["disk sda failed on node R02-M1-N0","ECC errors corrected, 4 in 10 minutes"]}';
const LINES = [
  'kernel: Out of memory: Killed process 2213 (chrome)',
  'sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186',
  'instruction cache parity error corrected',
  'session opened for user root',
  'EXT3-fs error (device sda1): ext3_find_entry: reading directory #2 offset 0',
  'Lustre mount FAILED : bglio559 : block_id : location',
  'jk2_init() Found child 6433 in scoreboard slot 6',
  'PacketReceiver: Exception writing block blk_-1608999687919862906 to mirror',
];

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

async function maskFigures() {
  const tokenizer = await AutoTokenizer.from_pretrained(MODEL, { local_files_only: true });
  const built = performance.now();
  const table = tokenTable(tokenizer);
  const tableMs = performance.now() - built;
  const root = compileJsonSchema(FPT.schema);
  const ids = tokenizer.encode(DOCUMENT, { add_special_tokens: false }).map(BigInt);
  const eos = tokenizer.eos_token_id as number;
  const steps: number[][] = ids.map(() => []);
  const logits = new Float32Array(table.bytes.length);
  for (let repeat = 0; repeat < REPEATS + 1; repeat++) {
    const mask = new JsonSchemaMask(root, table, [eos], 1, 0);
    for (let step = 0; step <= ids.length - 1; step++) {
      logits.fill(0);
      const started = performance.now();
      mask.apply([ids.slice(0, step)], logits);
      // The first pass warms the JIT.
      if (repeat > 0) steps[step]?.push(performance.now() - started);
    }
  }
  const perStep = steps.map(median);
  return {
    vocabulary: table.bytes.length,
    table_build_ms: round(tableMs, 1),
    document_tokens: ids.length,
    mask_ms_per_step_median: round(median(perStep)),
    mask_ms_per_step_slowest: round(Math.max(...perStep)),
  };
}

interface Pass {
  wallS: number;
  /** This process's CPU time: on a busy machine the wall time is mostly waiting for a core. */
  cpuS: number;
  tokensOut: number;
}

// Times every mask application per batch row. Its median is the typical cost; sums are not
// reported: on a busy machine they hold the pauses of a preempted process, and process CPU time
// meanwhile also counts onnxruntime's worker threads spinning between forward passes.
const maskMsPerRow: number[] = [];
const apply = JsonSchemaMask.prototype.apply;
JsonSchemaMask.prototype.apply = function timedApply(this: JsonSchemaMask, ...args: Parameters<typeof apply>) {
  const started = performance.now();
  apply.apply(this, args);
  maskMsPerRow.push((performance.now() - started) / args[0].length);
};

async function generationPass(runner: TransformersRunner, requests: readonly RenderedRequest[]): Promise<Pass> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let tokensOut = 0;
  for (let start = 0; start < requests.length; start += 4) {
    for (const prediction of await runner.runBatch(requests.slice(start, start + 4))) {
      if (prediction.error !== undefined) throw new Error(`sample ${prediction.sampleId} failed: ${prediction.error}`);
      tokensOut += prediction.tokensOut ?? 0;
    }
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { wallS: (performance.now() - started) / 1000, cpuS: (cpu.user + cpu.system) / 1e6, tokensOut };
}

async function generationFigures() {
  const decoding: TransformersDecoding = { temperature: 0, max_tokens: 128 };
  const requests: RenderedRequest[] = LINES.map((line, index) => ({ sample: { id: `s${index}`, input: line, meta: {} }, messages: [{ role: 'user', content: line }] }));
  const free = await TransformersRunner.create({ model: MODEL, decoding });
  const constrained = await TransformersRunner.create({ model: MODEL, decoding: { ...decoding, response_format: { type: 'json_schema', json_schema: FPT } } });
  try {
    const passes = { free: [] as Pass[], constrained: [] as Pass[] };
    await generationPass(free, requests);
    await generationPass(constrained, requests);
    maskMsPerRow.length = 0;
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      passes.free.push(await generationPass(free, requests));
      passes.constrained.push(await generationPass(constrained, requests));
    }
    const msPerToken = (of: Pass[]) => median(of.map((pass) => (pass.wallS * 1000) / pass.tokensOut));
    const cpuMsPerToken = (of: Pass[]) => median(of.map((pass) => (pass.cpuS * 1000) / pass.tokensOut));
    return {
      samples: requests.length,
      batch_size: 4,
      max_tokens: decoding.max_tokens,
      free: {
        tokens_out: passes.free[0]?.tokensOut,
        ms_per_token: round(msPerToken(passes.free)),
        cpu_ms_per_token: round(cpuMsPerToken(passes.free)),
        pass_wall_s: passes.free.map((p) => round(p.wallS)),
      },
      json_schema: {
        tokens_out: passes.constrained[0]?.tokensOut,
        ms_per_token: round(msPerToken(passes.constrained)),
        cpu_ms_per_token: round(cpuMsPerToken(passes.constrained)),
        pass_wall_s: passes.constrained.map((p) => round(p.wallS)),
        mask_ms_per_row_step_median: round(median(maskMsPerRow)),
      },
      ms_per_token_ratio_json_schema_vs_free: round(msPerToken(passes.constrained) / msPerToken(passes.free), 2),
      cpu_ms_per_token_ratio_json_schema_vs_free: round(cpuMsPerToken(passes.constrained) / cpuMsPerToken(passes.free), 2),
    };
  } finally {
    await free.close();
    await constrained.close();
  }
}

const result = {
  model: 'alsate-rules-lm-tiny',
  schema: 'prompts/fpt_response_schema.json',
  repeats: REPEATS,
  cpus: os.cpus().length,
  load_average_1m: round(os.loadavg()[0] ?? 0, 2),
  node: process.version,
  mask: await maskFigures(),
  generation: await generationFigures(),
};
console.log(JSON.stringify(result, null, 2));
