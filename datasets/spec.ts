import { z } from 'zod';
import { LOGLLM_LOG_FORMATS, LOGHUB_SYSTEMS } from './shipped.js';
import { REMOTE_NAMES } from './remoteFiles.js';

/** Fields every source takes. Paths anywhere in a spec are relative to the suite file's folder. */
const common = {
  split: z.string().min(1).default('test').describe('name of the split, stored with every run'),
  offset: z.int().min(0).default(0).describe('drop the first N samples (after the shuffle, if any): e.g. the training part of a time-ordered split'),
  limit: z.int().min(1).optional().describe('keep only the first N samples (after the shuffle and offset, if any)'),
  seed: z.int().default(42).describe('seed for chunk lengths and the shuffle'),
  shuffle: z.boolean().default(false).describe('shuffle (seeded) before applying limit; off: the first N, in file order'),
  skip_invalid: z
    .boolean()
    .default(false)
    .describe('false: a bad record is an error naming file and record; true: it is skipped and listed in skipped'),
};

const filePath = z.string().min(1);
const stripPrompt = filePath
  .optional()
  .describe('prompt template whose {{input}} marks where the logs sit in the human turn; the logs become the input');

const exactlyOne = (a: unknown, b: unknown): boolean => (a === undefined) !== (b === undefined);

const ShareGptSpec = z.strictObject({ source: z.literal('sharegpt'), path: filePath, strip_prompt: stripPrompt, ...common });

const AlpacaSpec = z.strictObject({ source: z.literal('alpaca'), path: filePath, ...common });

const JsonlSpec = z.strictObject({
  source: z.literal('jsonl'),
  path: filePath,
  input_field: z.string().min(1),
  reference_field: z.string().min(1).optional(),
  label_field: z.string().min(1).optional(),
  id_field: z.string().min(1).optional(),
  ...common,
});

const LogllmCsvSpec = z.strictObject({ source: z.literal('logllm-csv'), path: filePath, ...common });

const LoghubChunksSpec = z
  .strictObject({
    source: z.literal('loghub-chunks'),
    system: z.enum(LOGHUB_SYSTEMS).optional().describe('a shipped loghub v1 2k log'),
    path: filePath.optional(),
    min_lines: z.int().min(1).default(50),
    max_lines: z.int().min(1).default(150),
    count: z.int().min(1).optional().describe('at most this many chunks (default: until the file ends)'),
    ...common,
  })
  .refine((s) => exactlyOne(s.system, s.path), { message: 'give exactly one of system or path' })
  .refine((s) => s.min_lines <= s.max_lines, { message: 'min_lines must not exceed max_lines', path: ['min_lines'] });

const LoghubWindowsSpec = z
  .strictObject({
    source: z.literal('loghub-windows'),
    system: z.enum(Object.keys(LOGLLM_LOG_FORMATS) as [keyof typeof LOGLLM_LOG_FORMATS]).optional(),
    path: filePath.optional(),
    log_format: z
      .string()
      .refine((f) => f.includes('<Label>') && f.includes('<Content>'), { message: 'log_format needs <Label> and <Content> fields' })
      .refine((f) => [...f.matchAll(/<([^<>]*)>/g)].every((m) => /^[A-Za-z_]\w*$/.test(m[1] ?? '')), { message: 'log_format fields are names: <Date>, <Content>, ...' })
      .optional()
      .describe("LogLLM log_format (default: the system's, or BGL's for a path)"),
    window: z.int().min(1).default(100),
    step: z.int().min(1).optional().describe('default: window (fixed, non-overlapping windows)'),
    ...common,
  })
  .refine((s) => exactlyOne(s.system, s.path), { message: 'give exactly one of system or path' });

const JournalctlSpec = z
  .strictObject({
    source: z.literal('journalctl'),
    path: filePath,
    format: z.enum(['short', 'json']).default('short').describe('journalctl -o short, or -o json (one object a line)'),
    max_priority: z.int().min(0).max(7).optional().describe('json only: keep PRIORITY <= this (default 4: EMERG..WARNING)'),
    window: z.int().min(1).default(1).describe('log lines per sample'),
    ...common,
  })
  .refine((s) => s.format === 'json' || s.max_priority === undefined, {
    message: 'journalctl -o short output carries no priority: filter when exporting (journalctl -p 4) or use format: json',
    path: ['max_priority'],
  });

const RemoteSpec = z.strictObject({
  source: z.literal('remote'),
  name: z.enum(REMOTE_NAMES),
  data_dir: filePath.optional().describe('folder checked before the cache and the network (overrides --data-dir)'),
  strip_prompt: stripPrompt,
  ...common,
});

/** The `dataset:` section of a suite. */
export const DatasetSpec = z.discriminatedUnion('source', [
  ShareGptSpec,
  AlpacaSpec,
  JsonlSpec,
  LogllmCsvSpec,
  LoghubChunksSpec,
  LoghubWindowsSpec,
  JournalctlSpec,
  RemoteSpec,
]);
export type DatasetSpec = z.infer<typeof DatasetSpec>;
/** The spec as written in YAML, before defaults are filled in. */
export type DatasetSpecInput = z.input<typeof DatasetSpec>;
export type SpecOf<S extends DatasetSpec['source']> = Extract<DatasetSpec, { source: S }>;
