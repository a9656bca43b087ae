/**
 * In-process chat generation with transformers.js (`@huggingface/transformers`, onnxruntime-node
 * underneath) from a local model folder in the Hugging Face ONNX layout (config.json,
 * generation_config.json, tokenizer.json, tokenizer_config.json with a chat template,
 * onnx/model.onnx with a KV cache; docs/export.md) or from a hub id.
 *
 * Decoding: temperature 0 or unset is greedy; temperature > 0 samples with `temperature` and
 * `top_p`. `max_tokens` is `max_new_tokens` (default 256, as transformers.js' text-generation
 * pipeline). `seed` reseeds transformers.js' process-wide sampler (`random.seed`, MT19937) before
 * each batch: reproducible for the same batches in the same order, not across concurrent runners
 * sharing the process. A batch is generated together, left-padded (the library's only batching).
 * `response_format: {type: json_schema}` masks, at every step, the tokens that cannot continue a
 * valid compact document of the schema (./jsonSchemaDecoding), and all but the end token once it is complete.
 */
import path from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, LogitsProcessor, LogitsProcessorList, random, Tensor, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { z } from 'zod';
import type { Prediction, RenderedRequest, Runner } from './runner.js';
import { assertCudaProviderInstalled } from './onnxRuntimeCuda.js';
import type { SchemaNode } from './jsonSchemaDecoding/automaton.js';
import { compileJsonSchema } from './jsonSchemaDecoding/schema.js';
import { JsonSchemaMask, tokenTable, type TokenTable } from './jsonSchemaDecoding/tokenMask.js';

// ── Runner ─────────────────────────────────────────────────────────────────────────────────────

/** The decoding parameters honoured (names as in the suite's `decoding`; see the top of this file). */
export interface TransformersDecoding {
  temperature?: number | undefined;
  top_p?: number | undefined;
  max_tokens?: number | undefined;
  seed?: number | undefined;
  /** The schema read in (the provider reads a `json_schema_file` at suite load). */
  response_format?: { type: 'json_schema'; json_schema: { name: string; schema: Record<string, unknown> } } | undefined;
}

/** Extra variables for the chat template, e.g. Qwen3's `enable_thinking: false`. */
export type ChatTemplateKwargs = Record<string, string | number | boolean>;

export interface TransformersRunnerOptions {
  /** A local model folder, or (with `fromHub`) a hub id. */
  model: string;
  fromHub?: boolean;
  dtype?: 'fp32' | 'fp16' | 'q8' | 'q4';
  device?: 'cpu' | 'cuda';
  decoding?: TransformersDecoding;
  chatTemplateKwargs?: ChatTemplateKwargs;
}

export interface Generation {
  text: string;
  tokensIn: number;
  /** Tokens the model generated, its end-of-sequence token included, padding excluded. */
  tokensOut: number;
}

type ChatMessage = RenderedRequest['messages'][number];

const DEFAULT_MAX_NEW_TOKENS = 256;

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function rowsOf(tensor: Tensor): bigint[][] {
  const [rows = 0, columns = 0] = tensor.dims;
  const data = tensor.data;
  if (!(data instanceof BigInt64Array)) throw new Error(`expected int64 token ids, got ${tensor.type}`);
  return Array.from({ length: rows }, (_, row) => Array.from(data.subarray(row * columns, (row + 1) * columns)));
}

/** Applies a JsonSchemaMask inside transformers.js' generation loop, after its own processors. */
class JsonSchemaLogitsProcessor extends LogitsProcessor {
  constructor(private readonly mask: JsonSchemaMask) {
    super();
  }

  override _call(inputIds: bigint[][], logits: Tensor): Tensor {
    if (!(logits.data instanceof Float32Array)) throw new Error(`expected float32 logits, got ${logits.type}`);
    this.mask.apply(inputIds, logits.data);
    return logits;
  }
}

function processorList(processor: LogitsProcessor): LogitsProcessorList {
  const list = new LogitsProcessorList();
  list.push(processor);
  return list;
}

/** What json_schema decoding needs: the compiled schema and the tokenizer's token table, built once per runner. */
interface SchemaDecoding {
  root: SchemaNode;
  table: TokenTable;
}

export class TransformersRunner implements Runner {
  readonly provider = 'transformers';

  private constructor(
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly model: PreTrainedModel,
    private readonly decoding: TransformersDecoding,
    private readonly chatTemplateKwargs: ChatTemplateKwargs,
    private readonly maxPromptTokens: number,
    private readonly schemaDecoding: SchemaDecoding | undefined,
  ) {}

  static async create(options: TransformersRunnerOptions): Promise<TransformersRunner> {
    const localFilesOnly = options.fromHub !== true;
    // Absolute: transformers.js would read a relative "a/b" as a hub id under env.localModelPath.
    const source = localFilesOnly ? path.resolve(options.model) : options.model;
    if (options.device === 'cuda') assertCudaProviderInstalled('device');
    const tokenizer = await AutoTokenizer.from_pretrained(source, { local_files_only: localFilesOnly });
    const model = await AutoModelForCausalLM.from_pretrained(source, {
      local_files_only: localFilesOnly,
      dtype: options.dtype ?? 'fp32',
      device: options.device ?? 'cpu',
    });
    // Batches are left-padded so every row's next token comes from its last column.
    tokenizer.padding_side = 'left';
    const contextLength = z.int().positive().safeParse((model.config as { max_position_embeddings?: unknown }).max_position_embeddings);
    const maxPromptTokens = contextLength.success ? contextLength.data : Number.POSITIVE_INFINITY;
    const schema = options.decoding?.response_format?.json_schema.schema;
    const schemaDecoding = schema === undefined ? undefined : { root: compileJsonSchema(schema), table: tokenTable(tokenizer) };
    return new TransformersRunner(tokenizer, model, options.decoding ?? {}, options.chatTemplateKwargs ?? {}, maxPromptTokens, schemaDecoding);
  }

  /** The prompt text the chat template makes of `messages`, generation prompt included. */
  renderPrompt(messages: readonly ChatMessage[]): string {
    const rendered: unknown = this.tokenizer.apply_chat_template([...messages], { ...this.chatTemplateKwargs, tokenize: false, add_generation_prompt: true });
    if (typeof rendered !== 'string') throw new Error('the chat template did not render to text');
    return rendered;
  }

  /** Generates one answer per prompt text, all prompts in one left-padded batch. */
  async generate(prompts: readonly string[]): Promise<Generation[]> {
    const { temperature = 0, top_p: topP, max_tokens: maxTokens, seed } = this.decoding;
    // The chat template already holds any special tokens the model expects.
    const inputs = this.tokenizer([...prompts], { add_special_tokens: false, padding: true });
    const inputIds = inputs.input_ids as Tensor;
    const attentionMask = inputs.attention_mask as Tensor;
    if (seed !== undefined) random.seed(seed);
    const eos = this.endTokens();
    const promptWidth = inputIds.dims[1] ?? 0;
    const schema = this.schemaDecoding;
    const mask = schema && new JsonSchemaMask(schema.root, schema.table, [...eos].map(Number), prompts.length, promptWidth);
    const output = await this.model.generate({
      input_ids: inputIds,
      attention_mask: attentionMask,
      max_new_tokens: maxTokens ?? DEFAULT_MAX_NEW_TOKENS,
      do_sample: temperature > 0,
      ...(temperature > 0 ? { temperature, ...(topP === undefined ? {} : { top_p: topP }) } : {}),
      ...(mask && { logits_processor: processorList(new JsonSchemaLogitsProcessor(mask)) }),
    });
    if (!(output instanceof Tensor)) throw new Error('generate returned no token tensor');
    const promptTokens = rowsOf(attentionMask).map((row) => row.filter((flag) => flag === 1n).length);
    return rowsOf(output).map((row, index) => {
      const generated = row.slice(promptWidth);
      const end = generated.findIndex((id) => eos.has(id));
      const produced = end === -1 ? generated : generated.slice(0, end + 1);
      return {
        text: this.tokenizer.decode(produced.map(Number), { skip_special_tokens: true }),
        tokensIn: promptTokens[index] ?? 0,
        tokensOut: produced.length,
      };
    });
  }

  /** generation_config may list several end tokens (Qwen3: <|im_end|> and <|endoftext|>); generate stops on any. */
  private endTokens(): Set<bigint> {
    const configured = this.model.generation_config?.eos_token_id;
    return new Set([this.tokenizer.eos_token_id, ...(Array.isArray(configured) ? configured : [configured])].filter((id) => typeof id === 'number').map(BigInt));
  }

  async runBatch(batch: RenderedRequest[], signal?: AbortSignal): Promise<Prediction[]> {
    signal?.throwIfAborted();
    const started = performance.now();
    const predictions: Prediction[] = batch.map(({ sample }) => ({ sampleId: sample.id, latencyMs: 0 }));
    // A sample whose chat cannot be rendered or is too long fails alone; the rest are generated together.
    const runnable: { index: number; prompt: string }[] = [];
    batch.forEach(({ messages }, index) => {
      const prediction = predictions[index];
      if (prediction === undefined) return;
      try {
        const prompt = this.renderPrompt(messages);
        const length = this.tokenizer.encode(prompt, { add_special_tokens: false }).length;
        if (length >= this.maxPromptTokens) throw new Error(`prompt of ${length} tokens leaves no room in the model's ${this.maxPromptTokens}-token context`);
        runnable.push({ index, prompt });
      } catch (error) {
        prediction.error = errorMessage(error);
      }
    });
    if (runnable.length > 0) {
      try {
        const generations = await this.generate(runnable.map(({ prompt }) => prompt));
        runnable.forEach(({ index }, row) => Object.assign(predictions[index] ?? {}, generations[row]));
      } catch (error) {
        for (const { index } of runnable) Object.assign(predictions[index] ?? {}, { error: errorMessage(error) });
      }
    }
    // Every sample of a batch waits for the whole batch: its latency is the batch's wall time.
    const latencyMs = performance.now() - started;
    for (const prediction of predictions) prediction.latencyMs = latencyMs;
    return predictions;
  }

  async close(): Promise<void> {
    await this.model.dispose();
  }
}
