import { fileURLToPath } from 'node:url';
import { loadDataset, type DatasetLoadContext } from '../../datasets/load.js';
import type { LoadedSplit } from '../../core/sample.js';
import { DatasetSpec, type DatasetSpecInput } from '../../datasets/spec.js';

/** `datasets/fixtures/`: the small hand-made files the loader tests read. */
export const DATASET_FIXTURES = fileURLToPath(new URL('../../datasets/fixtures', import.meta.url));

/** Validates a spec as a suite would, then loads it with paths relative to the fixtures folder. */
export function loadFixtureDataset(spec: DatasetSpecInput, ctx: Partial<DatasetLoadContext> = {}): Promise<LoadedSplit> {
  return loadDataset(DatasetSpec.parse(spec), { baseDir: DATASET_FIXTURES, ...ctx });
}
