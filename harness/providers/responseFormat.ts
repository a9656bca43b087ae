/**
 * `decoding.response_format` as suites write it for every provider that constrains its output
 * (openai, transformers): OpenAI's `json_object` / `json_schema`, the schema inline or in a
 * `json_schema_file`, read at suite load so the run stores the schema itself.
 */
import path from 'node:path';
import { z } from 'zod';
import { parseJsonFile } from '../../core/io/json.js';
import { InputRecordError } from '../../core/io/jsonl.js';
import { readSuiteFile, SuiteError } from '../suite/files.js';
import type { DecodingContext } from './definition.js';

/** OpenAI `response_format` json_schema: inline, or a file holding the whole `json_schema` object ({name, schema, strict?}). */
export const JsonSchemaObject = z
  .object({ name: z.string().min(1), schema: z.record(z.string(), z.unknown()), strict: z.boolean().optional() })
  .strict();
export type JsonSchemaObject = z.infer<typeof JsonSchemaObject>;

export const JsonSchemaFormat = z.union([
  z.object({ type: z.literal('json_schema'), json_schema: JsonSchemaObject }).strict(),
  z.object({ type: z.literal('json_schema'), json_schema_file: z.string().min(1) }).strict(),
]);

export const JsonObjectFormat = z.object({ type: z.literal('json_object') }).strict();

/** Where a model's response format sits in the suite, for messages. */
export function responseFormatWhere(ctx: DecodingContext): string {
  return `${ctx.where}.decoding.response_format`;
}

/** A `json_schema_file`, read at suite load; errors name the file and position, never its text (it may be any file). */
function readJsonSchemaFile(file: string, ctx: DecodingContext): JsonSchemaObject {
  const where = `${responseFormatWhere(ctx)}.json_schema_file`;
  const full = path.resolve(ctx.baseDir, file);
  let parsed: unknown;
  try {
    parsed = parseJsonFile(readSuiteFile(ctx.baseDir, file, where, ctx.suiteFile), full);
  } catch (err) {
    if (err instanceof InputRecordError) throw new SuiteError(`${err.message} (${where})`);
    throw err;
  }
  const jsonSchema = JsonSchemaObject.safeParse(parsed);
  if (!jsonSchema.success) {
    // The issue's code and path only: zod's message would quote the file's own keys.
    const issue = jsonSchema.error.issues[0];
    const at = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new SuiteError(`${full}: ${where}: expected {name, schema, strict?} (${issue?.code ?? 'invalid'}${at})`);
  }
  return jsonSchema.data;
}

/** The json_schema format with its `json_schema_file` read in (what runs store and runners receive). */
export function resolveJsonSchemaFormat(format: z.infer<typeof JsonSchemaFormat>, ctx: DecodingContext): { type: 'json_schema'; json_schema: JsonSchemaObject } {
  return 'json_schema_file' in format ? { type: 'json_schema', json_schema: readJsonSchemaFile(format.json_schema_file, ctx) } : format;
}

/** The file a json_schema format's schema came from (the suite itself when inline), for messages. */
export function jsonSchemaSource(format: z.infer<typeof JsonSchemaFormat>, ctx: DecodingContext): string {
  return 'json_schema_file' in format ? path.resolve(ctx.baseDir, format.json_schema_file) : ctx.suiteFile;
}
