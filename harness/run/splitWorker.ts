/** Worker-thread side of `loadSplitSelection` (splitLoading.ts): loads the split and posts the selected samples. */
import { parentPort, workerData } from 'node:worker_threads';
import { loadSelectedSplit } from '../../datasets/index.js';
import { selects, type SplitWorkerData } from './splitLoading.js';

const { spec, context, selection } = workerData as SplitWorkerData;
parentPort?.postMessage(await loadSelectedSplit(spec, context, selects(selection)));
