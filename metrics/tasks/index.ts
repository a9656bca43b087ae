export {
  FPT_RESPONSE_JSON_SCHEMA,
  jsonAnalysisCorpus,
  parseJsonAnalysis,
  scoreJsonAnalysis,
  type JsonAnalysis,
  type JsonAnalysisCorpus,
  type JsonAnalysisFields,
  type JsonAnalysisParse,
  type JsonAnalysisSampleScore,
  type LineSetCorpus,
  type LineSetScore,
} from './jsonAnalysis.js';
export {
  ANOMALY_LABELS,
  ANOMALY_POSITIVE_LABEL,
  NO_ANSWER_LABEL,
  anomalyLabelCorpus,
  anomalyReport,
  parseAnomalyAnswer,
  type AnomalyLabel,
  type AnomalyLabelCorpus,
} from './anomalyLabel.js';
export {
  causeRemediationCorpus,
  parseCauseRemediation,
  type CauseRemediationCorpus,
  type CauseRemediationParse,
} from './causeRemediation.js';
