import { z } from 'zod';

/** Labels of the binary anomaly-detection tasks, spelled as LogLLM generates them ("The sequence is normal."). */
export const NORMAL = 'normal';
export const ANOMALOUS = 'anomalous';
export type AnomalyClass = typeof NORMAL | typeof ANOMALOUS;

/** LogLLM's 0/1 label convention: 1 = anomalous. */
export function anomalyLabel(flag: 0 | 1): AnomalyClass {
  return flag === 1 ? ANOMALOUS : NORMAL;
}

const SPELLINGS: ReadonlyMap<string, AnomalyClass> = new Map([
  [NORMAL, NORMAL],
  [ANOMALOUS, ANOMALOUS],
  ['0', NORMAL],
  ['1', ANOMALOUS],
  ['false', NORMAL],
  ['true', ANOMALOUS],
  ['no', NORMAL],
  ['yes', ANOMALOUS],
]);

/**
 * The one rule by which every loader reads a gold or replayed label: the class names in any case,
 * or a flag for "anomalous?" written as 0/1, false/true or no/yes. Anything else is no label (the
 * caller refuses it naming file, record and field), never a third class that would silently score 0.
 */
export function anomalyClassOf(value: unknown): AnomalyClass | undefined {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
  return SPELLINGS.get(String(value).trim().toLowerCase());
}

/** Why `value` is no label, for an error that names the file, record and field before it. */
export function notALabel(value: unknown): string {
  return `expected a label normal/anomalous, 0/1, false/true or no/yes (any case), got ${value === undefined ? 'nothing' : JSON.stringify(value)}`;
}

/** A label field of a record, read by `anomalyClassOf`; what it cannot read is a bad record. */
export const AnomalyClassValue = z.unknown().transform((value, ctx) => {
  const label = anomalyClassOf(value);
  if (label === undefined) ctx.addIssue({ code: 'custom', message: notALabel(value) });
  return label ?? z.NEVER;
});
