/** Labels of the binary anomaly-detection tasks, spelled as LogLLM generates them ("The sequence is normal."). */
export const NORMAL = 'normal';
export const ANOMALOUS = 'anomalous';

/** LogLLM's 0/1 label convention: 1 = anomalous. */
export function anomalyLabel(flag: 0 | 1): typeof NORMAL | typeof ANOMALOUS {
  return flag === 1 ? ANOMALOUS : NORMAL;
}
