import { describe, expect, it } from 'vitest';
import type { MetricDifference } from '../harness/gate/index.js';
import { metricTable } from './table.js';

const paired = (name: string, delta: number, ci: [number, number] | null, pValue: number | null): MetricDifference => ({
  name, a: null, b: null, delta, ciLow: ci?.[0] ?? null, ciHigh: ci?.[1] ?? null, pValue, resamples: 1000, n: 40,
  method: ci ? 'paired-bootstrap-two-sided' : 'stored values', untested: ci ? null : 'no per-sample form', higherIsBetter: true,
});

describe('metricTable', () => {
  it("gives a model with its paired comparison the change, its interval and p-value; the baseline's column stays plain", () => {
    const table = metricTable(
      [
        { modelId: 'base', metrics: [{ name: 'f1', value: 0.4 }, { name: 'macro_f1', value: 0.5 }] },
        { modelId: 'ft', metrics: [{ name: 'f1', value: 0.6, ciLow: 0.4, ciHigh: 0.8 }, { name: 'macro_f1', value: 0.7 }], paired: [paired('f1', 0.2, [0.05, 0.35], 0.0001), paired('macro_f1', 0.2, null, null)] },
      ],
      'base',
    );
    const [header, , f1, macro] = table.split('\n');
    expect(header?.split(/ {2,}/)).toEqual(['metric', 'base', 'ft', 'Δ vs base [paired CI] p']);
    expect(f1?.trimEnd()).toMatch(/^f1 +0\.4 +0\.6 \[0\.4, 0\.8\] +\+0\.2 ▲ \[\+0\.05, \+0\.35\] p <0\.001$/);
    expect(macro?.trimEnd()).toMatch(/^macro_f1 +0\.5 +0\.7 +\+0\.2 ▲$/);
  });

  it('keeps the plain Δ column without a paired comparison', () => {
    const table = metricTable([{ modelId: 'a', metrics: [{ name: 'accuracy', value: 1 }] }, { modelId: 'b', metrics: [{ name: 'accuracy', value: 0.5 }] }], 'a');
    expect(table.split('\n')[0]?.split(/ {2,}/)).toEqual(['metric', 'a', 'b', 'Δ vs a']);
    expect(table).toMatch(/accuracy +1 +0\.5 +-0\.5 ▼/);
  });
});
