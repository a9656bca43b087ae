import { z } from 'zod';
import { Suite } from './schema.js';

/** The suite schema as JSON Schema (input side: defaults are optional), for editor autocompletion of suites/*.yaml. */
export function suiteJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(Suite, { io: 'input', unrepresentable: 'any' }),
    title: 'logbench suite',
    description: 'A declarative logbench suite: dataset, prompt, task, models and metrics.',
  };
}
