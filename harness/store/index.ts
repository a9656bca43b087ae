export { RunStore, StoreLockedError, type OpenStoreOptions } from './store.js';
export { StoreSchemaError, LATEST_SCHEMA_VERSION } from './migrations.js';
export { redactEndpoint } from './endpoint.js';
export type {
  BatchRecord,
  CacheRecord,
  MetricRecord,
  NewRun,
  PredictionRecord,
  RunStatus,
  SampleMetricRecord,
  StoredBatch,
  StoredCacheEntry,
  StoredMetric,
  StoredPrediction,
  StoredRun,
  StoredSample,
  StoredSampleMetric,
} from './records.js';
