export { CompletedRunError, databaseLockState, RunStore, StoreLockedError, runSelection, storableCount, type OpenStoreOptions, type ScoringRow, type WholeRunFromShards } from './store.js';
export { StoreSchemaError, LATEST_SCHEMA_VERSION } from './migrations.js';
export { redactEndpoint } from './endpoint.js';
export {
  NO_ANSWER,
  StoreQueries,
  withStoreQueries,
  type BatchQuality,
  type JsonAnalysisCell,
  type LabelCount,
  type PredictionText,
  type QualitySource,
  type RankedSample,
  type RunTotals,
  type SampleText,
} from './reportQueries.js';
export type {
  BatchRecord,
  CacheRecord,
  MetricRecord,
  NewRun,
  PredictionRecord,
  RunSelection,
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
export { StoreSnapshots, removeDeadViewerCopies, removeViewerCopyFolder } from './snapshot.js';
export { ViewQueries, type SampleDetail, type SampleFilter, type SampleOutputRow, type SamplePage, type SampleRow, type SampleTableRow } from './viewQueries.js';
