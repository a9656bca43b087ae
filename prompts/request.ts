import type { RenderedRequest } from '../core/prediction.js';
import type { Sample } from '../core/sample.js';
import { renderTemplate } from './render.js';

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
