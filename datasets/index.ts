export { ANOMALOUS, NORMAL } from './labels.js';
export { DatasetRangeError, loadDataset, loadSelectedSplit, splitHashOf, type DatasetLoadContext, type SelectedSplit } from './load.js';
export { DEFAULT_CACHE_DIR } from './loaders/remote.js';
export { extractInput, inputFrameOf, type InputFrame } from '../prompts/frame.js';
export { REMOTE_FILES, type RemoteFile, type RemoteName } from './remoteFiles.js';
export type { LoadedSplit, Sample } from '../core/sample.js';
export { LOGHUB_SYSTEMS, shippedDataDir, type LoghubSystem } from './shipped.js';
export { DatasetSpec, type DatasetSpecInput } from './spec.js';
