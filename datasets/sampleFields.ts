import { placeholdersOf } from '../prompts/render.js';
import type { DatasetSpec } from './spec.js';

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
