import type { Sample } from '../../datasets/sample.js';
import { renderTemplate } from '../../prompts/render.js';
import { hashOf } from '../hash.js';
import type { RenderedRequest } from '../runners/runner.js';

export interface PromptTemplates {
  system?: string;
  user: string;
}

/** What a template's placeholders can name for one sample: its input, id and text or number meta fields. */
export function templateValues(sample: Sample): Record<string, string> {
  const values: Record<string, string> = { input: sample.input, id: sample.id };
  for (const [key, value] of Object.entries(sample.meta)) {
    if (typeof value === 'string' || typeof value === 'number') values[key] = String(value);
  }
  return values;
}

/** The chat messages for one sample: the templates filled with the sample's input and meta fields. */
export function renderRequest(sample: Sample, prompt: PromptTemplates): RenderedRequest {
  const values = templateValues(sample);
  const messages: RenderedRequest['messages'] = [];
  if (prompt.system !== undefined) messages.push({ role: 'system', content: renderTemplate(prompt.system, values, 'prompt.system') });
  messages.push({ role: 'user', content: renderTemplate(prompt.user, values, 'prompt.user') });
  return { sample, messages };
}

/** Cache key: everything that determines a provider's answer, and nothing else (no sample ids, no secrets). */
export function requestHash(identity: { provider: string; endpoint?: string; model?: string; decoding: unknown }, request: RenderedRequest): string {
  return hashOf({ ...identity, messages: request.messages });
}
