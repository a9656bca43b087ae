/**
 * The in-process LogLLM classifier: a bundle folder (bundle.json + two ONNX graphs + two tokenizer
 * folders, layout in docs/export.md) run with onnxruntime-node. Per batch, every distinct message of
 * every window goes through the encoder in one session.run, then all windows through the
 * decoder + label head in a second one.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AutoTokenizer, type PreTrainedTokenizer } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';
import { z } from 'zod';
import { logllmMessages } from './logllmPreprocess.js';
import { assertCudaProviderInstalled, cudaFix } from './onnxRuntimeCuda.js';
import type { Prediction, RenderedRequest, Runner } from './runner.js';

// ── Bundle manifest ────────────────────────────────────────────────────────────────────────────

const FileInBundle = z
  .string()
  .min(1)
  .refine((p) => !path.isAbsolute(p) && !p.split(/[\\/]/).includes('..'), 'must be a path inside the bundle folder');

/** bundle.json, format 1. Graph input and output names are fixed by the format (see ENCODER_IO / DECODER_IO). */
export const ClassifierBundle = z
  .object({
    format_version: z.literal(1),
    name: z.string().min(1),
    architecture: z.literal('logllm'),
    labels: z
      .array(z.string().min(1))
      .min(2)
      .refine((labels) => new Set(labels).size === labels.length, 'labels must be distinct'),
    /** Encoder tokens per message, [CLS] and [SEP] included (LogLLM's max_content_len). */
    max_message_tokens: z.int().min(2),
    /** Messages kept per window, the first ones (LogLLM's max_seq_len). */
    max_messages: z.int().positive(),
    /** Decoder prompt around the messages: prefix ‖ messages ‖ suffix ‖ answer_prefix. */
    instruction: z.object({ prefix: z.string(), suffix: z.string(), answer_prefix: z.string() }).strict(),
    preprocessing: z.object({ masking: z.literal('logllm'), message_separator: z.string().min(1) }).strict(),
    encoder: z.object({ onnx: FileInBundle, tokenizer: FileInBundle, hidden_size: z.int().positive() }).strict(),
    decoder: z.object({ onnx: FileInBundle, tokenizer: FileInBundle }).strict(),
  })
  .strict();
export type ClassifierBundle = z.infer<typeof ClassifierBundle>;

const ENCODER_IO = { inputs: ['input_ids', 'attention_mask'], output: 'pooler_output' } as const;
const DECODER_IO = {
  inputs: ['instruction_prefix_ids', 'instruction_suffix_ids', 'message_embeddings', 'message_mask'],
  output: 'logits',
} as const;

export async function readClassifierBundle(bundleDir: string): Promise<ClassifierBundle> {
  const file = path.join(bundleDir, 'bundle.json');
  const parsed = ClassifierBundle.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

// ── Runner ─────────────────────────────────────────────────────────────────────────────────────

export interface OnnxClassifierRunnerOptions {
  /** The bundle folder. */
  path: string;
  executionProvider?: 'cpu' | 'cuda';
  threads?: number;
}

/** Label logits per window, and the encoder tokens each window was read as. */
export interface WindowScores {
  logits: number[];
  encoderTokens: number;
}

async function createSession(file: string, options: OnnxClassifierRunnerOptions, io: { inputs: readonly string[]; output: string }): Promise<ort.InferenceSession> {
  const provider = options.executionProvider ?? 'cpu';
  if (provider === 'cuda') assertCudaProviderInstalled('execution_provider');
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file, {
      executionProviders: [provider],
      graphOptimizationLevel: 'all',
      // `threads` bounds the session's whole thread use: operators run one after another (sequential
      // execution, one inter-op thread), each on at most `threads` intra-op threads.
      ...(options.threads === undefined ? {} : { intraOpNumThreads: options.threads, interOpNumThreads: 1, executionMode: 'sequential' as const }),
    });
  } catch (error) {
    if (provider !== 'cuda') throw error;
    // The libraries are there, but CUDA itself is not usable (no driver, another CUDA version).
    throw new Error(`execution_provider 'cuda' is not available in this onnxruntime-node build (${errorMessage(error)}); ${cudaFix('execution_provider')}`);
  }
  const missing = [...io.inputs.filter((name) => !session.inputNames.includes(name)), ...(session.outputNames.includes(io.output) ? [] : [io.output])];
  if (missing.length > 0) {
    await session.release();
    throw new Error(`${file}: graph lacks ${missing.join(', ')} (inputs ${session.inputNames.join(', ')}; outputs ${session.outputNames.join(', ')})`);
  }
  return session;
}

async function loadTokenizer(folder: string): Promise<PreTrainedTokenizer> {
  // local_files_only rather than the global env.allowRemoteModels, which would also bind other runners in the process.
  return AutoTokenizer.from_pretrained(folder, { local_files_only: true });
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function int64Tensor(values: readonly number[], dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
}

function softmax(logits: readonly number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / sum);
}

export class OnnxClassifierRunner implements Runner {
  readonly provider = 'onnx-classifier';

  private readonly instructionPrefixIds: ort.Tensor;
  private readonly instructionSuffixIds: ort.Tensor;

  private constructor(
    readonly bundle: ClassifierBundle,
    private readonly encoder: ort.InferenceSession,
    private readonly decoder: ort.InferenceSession,
    private readonly encoderTokenizer: PreTrainedTokenizer,
    /** Decoder ids of the instruction: prefix, and suffix followed by the answer prefix. */
    readonly instructionTokenIds: { prefix: number[]; suffix: number[] },
  ) {
    this.instructionPrefixIds = int64Tensor(instructionTokenIds.prefix, [instructionTokenIds.prefix.length]);
    this.instructionSuffixIds = int64Tensor(instructionTokenIds.suffix, [instructionTokenIds.suffix.length]);
  }

  static async create(options: OnnxClassifierRunnerOptions): Promise<OnnxClassifierRunner> {
    // Absolute: transformers.js would read a relative "a/b" as a hub id under env.localModelPath.
    const bundleDir = path.resolve(options.path);
    const bundle = await readClassifierBundle(bundleDir);
    const inBundle = (file: string) => path.join(bundleDir, file);
    const [encoderTokenizer, decoderTokenizer] = await Promise.all([loadTokenizer(inBundle(bundle.encoder.tokenizer)), loadTokenizer(inBundle(bundle.decoder.tokenizer))]);
    const encoder = await createSession(inBundle(bundle.encoder.onnx), options, ENCODER_IO);
    const decoder = await createSession(inBundle(bundle.decoder.onnx), options, DECODER_IO).catch(async (error: unknown) => {
      await encoder.release();
      throw error;
    });
    // LogLLM tokenizes the instruction pieces separately and concatenates them (model.py); no special tokens.
    const idsOf = (text: string) => decoderTokenizer.encode(text, { add_special_tokens: false });
    const { prefix, suffix, answer_prefix: answerPrefix } = bundle.instruction;
    return new OnnxClassifierRunner(bundle, encoder, decoder, encoderTokenizer, { prefix: idsOf(prefix), suffix: [...idsOf(suffix), ...idsOf(answerPrefix)] });
  }

  /** Encoder ids of one message: [CLS] pieces [SEP], cut as Hugging Face cuts (pieces first, so [SEP] stays). */
  encoderTokenIds(message: string): number[] {
    const ids = this.encoderTokenizer.encode(message);
    const max = this.bundle.max_message_tokens;
    // transformers.js would truncate after adding [SEP] and so drop it; the Python tokenizer LogLLM trains with keeps it.
    return ids.length <= max ? ids : [...ids.slice(0, max - 1), this.encoderTokenizer.sep_token_id];
  }

  /** Scores windows of raw log text (messages joined by the bundle's separator) in one encoder and one decoder run. */
  async scoreWindows(windowTexts: readonly string[]): Promise<WindowScores[]> {
    if (windowTexts.length === 0) return [];
    const { max_messages: maxMessages, preprocessing, encoder: encoderSpec, labels } = this.bundle;
    const windows = windowTexts.map((text) => logllmMessages(text, maxMessages, preprocessing.message_separator));
    // Masked windows repeat messages heavily; each distinct one is encoded once.
    const rowOfMessage = new Map<string, number>();
    const distinctIds: number[][] = [];
    for (const message of windows.flat()) {
      if (rowOfMessage.has(message)) continue;
      rowOfMessage.set(message, distinctIds.length);
      distinctIds.push(this.encoderTokenIds(message));
    }
    // Every message is padded to the bundle's fixed length, not the batch's longest: the encoder's
    // reductions over the token axis then add the same numbers in the same order whatever else is in
    // the batch, so a window scores bit for bit alike in any batch (a shard, a resumed run, batch_size).
    const width = this.bundle.max_message_tokens;
    // Padded positions are masked out; the pad id only keeps the ids in the vocabulary.
    const inputIds = new BigInt64Array(distinctIds.length * width).fill(BigInt(this.encoderTokenizer.pad_token_id ?? 0));
    const attentionMask = new BigInt64Array(distinctIds.length * width);
    distinctIds.forEach((ids, row) =>
      ids.forEach((id, column) => {
        inputIds[row * width + column] = BigInt(id);
        attentionMask[row * width + column] = 1n;
      }),
    );
    const encoded = await this.encoder.run({
      input_ids: new ort.Tensor('int64', inputIds, [distinctIds.length, width]),
      attention_mask: new ort.Tensor('int64', attentionMask, [distinctIds.length, width]),
    });
    const pooled = encoded[ENCODER_IO.output]?.data;
    const hidden = encoderSpec.hidden_size;
    if (!(pooled instanceof Float32Array) || pooled.length !== distinctIds.length * hidden) {
      throw new Error(`encoder ${ENCODER_IO.output} is not float32 [messages, ${hidden}]`);
    }

    // Windows with the same message count share a decoder run, so no window is padded to another's
    // length: with the fixed encoder width above, a window's logits do not depend on its batch.
    const byCount = new Map<number, number[]>();
    windows.forEach((messages, window) => {
      const group = byCount.get(messages.length);
      if (group) group.push(window);
      else byCount.set(messages.length, [window]);
    });
    const logitsOf: Float32Array[] = [];
    for (const [slots, group] of byCount) {
      const embeddings = new Float32Array(group.length * slots * hidden);
      const messageMask = new BigInt64Array(group.length * slots).fill(1n);
      group.forEach((window, position) =>
        windows[window]?.forEach((message, slot) => {
          const row = rowOfMessage.get(message) ?? 0;
          embeddings.set(pooled.subarray(row * hidden, (row + 1) * hidden), (position * slots + slot) * hidden);
        }),
      );
      const decoded = await this.decoder.run({
        instruction_prefix_ids: this.instructionPrefixIds,
        instruction_suffix_ids: this.instructionSuffixIds,
        message_embeddings: new ort.Tensor('float32', embeddings, [group.length, slots, hidden]),
        message_mask: new ort.Tensor('int64', messageMask, [group.length, slots]),
      });
      const logits = decoded[DECODER_IO.output]?.data;
      if (!(logits instanceof Float32Array) || logits.length !== group.length * labels.length) {
        throw new Error(`decoder ${DECODER_IO.output} is not float32 [windows, ${labels.length}]`);
      }
      group.forEach((window, position) => (logitsOf[window] = logits.subarray(position * labels.length, (position + 1) * labels.length)));
    }
    return windows.map((messages, window) => ({
      logits: Array.from(logitsOf[window] ?? []),
      encoderTokens: messages.reduce((sum, message) => sum + (distinctIds[rowOfMessage.get(message) ?? 0]?.length ?? 0), 0),
    }));
  }

  async runBatch(batch: RenderedRequest[], signal?: AbortSignal): Promise<Prediction[]> {
    signal?.throwIfAborted();
    if (batch.length === 0) return [];
    const started = performance.now();
    try {
      const scores = await this.scoreWindows(batch.map(({ sample }) => sample.input));
      // Every sample of a batch waits for the whole batch: its latency is the batch's wall time.
      const latencyMs = performance.now() - started;
      return batch.map(({ sample }, i) => this.prediction(sample.id, scores[i], latencyMs));
    } catch (error) {
      // Any string is a valid window, so a failed run is the session's, not a sample's: the batch fails together.
      const latencyMs = performance.now() - started;
      return batch.map(({ sample }) => ({ sampleId: sample.id, latencyMs, error: errorMessage(error) }));
    }
  }

  private prediction(sampleId: string, scores: WindowScores | undefined, latencyMs: number): Prediction {
    if (scores === undefined) return { sampleId, latencyMs, error: 'no score for the sample' };
    const probabilities = softmax(scores.logits);
    const labels = this.bundle.labels;
    const best = probabilities.indexOf(Math.max(...probabilities));
    const label = labels[best] ?? '';
    return {
      sampleId,
      label,
      text: label,
      probs: Object.fromEntries(labels.map((name, i) => [name, probabilities[i] ?? 0])),
      latencyMs,
      tokensIn: scores.encoderTokens,
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.encoder.release(), this.decoder.release()]);
  }
}
