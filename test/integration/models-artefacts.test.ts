/** The shipped model folders: each documented, all of them small enough to live in the repository. */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const MODELS = path.resolve(import.meta.dirname, '../../models');
const MAX_TOTAL_BYTES = 20 * 1024 * 1024;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

describe('shipped models', () => {
  const folders = readdirSync(MODELS, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);

  it('each come with a model card and their training metrics', () => {
    expect(folders).toEqual(expect.arrayContaining(['alsate-rules-lm-tiny', 'logllm-bgl-tiny']));
    for (const folder of folders) {
      const files = filesUnder(path.join(MODELS, folder)).map((file) => path.relative(path.join(MODELS, folder), file));
      expect(files, folder).toEqual(expect.arrayContaining(['MODEL_CARD.md', 'metrics.json']));
    }
  });

  it('take at most 20 MB together', () => {
    const total = filesUnder(MODELS).reduce((sum, file) => sum + statSync(file).size, 0);
    expect(total).toBeLessThanOrEqual(MAX_TOTAL_BYTES);
  });
});
