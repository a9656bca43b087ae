import { placeholdersOf } from '../prompts/render.js';
import type { DatasetSpec } from './spec.js';

/** The template text around its single `{{input}}` placeholder. */
export interface InputFrame {
  prefix: string;
  suffix: string;
}

const INPUT_PLACEHOLDER = /\{\{\s*input\s*\}\}/;

/**
 * Splits a prompt template at its `{{input}}` placeholder, so the log chunk can be cut back out of a
 * rendered prompt. The template must hold exactly one placeholder, `{{input}}`.
 */
export function inputFrameOf(template: string, templateName: string): InputFrame {
  const names = placeholdersOf(template);
  const parts = template.split(INPUT_PLACEHOLDER);
  if (names.length !== 1 || names[0] !== 'input' || parts.length !== 2) {
    throw new Error(`${templateName}: strip_prompt needs a template with exactly one placeholder, {{input}} (found: ${names.map((n) => `{{${n}}}`).join(', ') || 'none'}${parts.length > 2 ? `, {{input}} ${parts.length - 1} times` : ''})`);
  }
  return { prefix: parts[0] as string, suffix: parts[1] as string };
}

function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

const excerpt = (text: string, at: number): string => JSON.stringify(text.slice(at, at + 30));

/** The text standing where `{{input}}` was, or why `rendered` was not made from this template. */
export function extractInput(rendered: string, frame: InputFrame): { input: string } | { mismatch: string } {
  if (!rendered.startsWith(frame.prefix)) {
    const at = firstDifference(rendered, frame.prefix);
    return { mismatch: `text before {{input}} differs from the template at char ${at}: expected ${excerpt(frame.prefix, at)}, got ${excerpt(rendered, at)}` };
  }
  if (!rendered.endsWith(frame.suffix) || rendered.length < frame.prefix.length + frame.suffix.length) {
    const tail = rendered.slice(Math.max(frame.prefix.length, rendered.length - frame.suffix.length));
    return { mismatch: `text after {{input}} differs from the template: expected it to end with ${JSON.stringify(frame.suffix.slice(-30))}, got ${JSON.stringify(tail.slice(-30))}` };
  }
  return { input: rendered.slice(frame.prefix.length, rendered.length - frame.suffix.length) };
}

/** The meta fields each source's samples carry (see the loaders): with `input` and `id`, the values a prompt is rendered with. */
export const SAMPLE_META_FIELDS: Readonly<Record<DatasetSpec['source'], readonly string[]>> = {
  sharegpt: ['file', 'record'],
  remote: ['file', 'record'],
  alpaca: ['file', 'record', 'instruction'],
  jsonl: ['file', 'line'],
  'logllm-csv': ['file', 'row', 'line'],
  'loghub-chunks': ['file', 'first_line', 'last_line', 'lines'],
  'loghub-windows': ['file', 'first_line', 'last_line', 'lines', 'anomalous_lines'],
  journalctl: ['file', 'first_line', 'last_line', 'lines'],
};

/**
 * What is wrong with a suite's prompt templates for samples of `source`, checked at suite load: a
 * prompt without `{{input}}` never shows the model the sample, and a placeholder the samples do not
 * fill would fail on the first sample, after runs were recorded. Undefined when they are fine.
 */
export function promptTemplatesProblem(templates: { user: string; system?: string }, source: DatasetSpec['source']): { role: 'user' | 'system'; problem: string } | undefined {
  const known = ['input', 'id', ...SAMPLE_META_FIELDS[source]];
  for (const role of ['system', 'user'] as const) {
    const unknown = placeholdersOf(templates[role] ?? '').filter((name) => !known.includes(name));
    if (unknown.length) {
      return { role, problem: `${unknown.map((name) => `{{${name}}}`).join(', ')} not filled by a ${source} dataset (placeholders: ${known.map((name) => `{{${name}}}`).join(', ')})` };
    }
  }
  const placed = [templates.user, templates.system ?? ''].some((template) => placeholdersOf(template).includes('input'));
  return placed ? undefined : { role: 'user', problem: 'no {{input}} placeholder: the samples would never reach the model' };
}
