import { describe, expect, it } from 'vitest';
import { costFigures, costText, type CostBatch } from './cost.js';

const batch = (wallMs: number, cpuMs: number | null, gpuTimeMs: number | null, energyJ: number | null = null, telemetryNote: string | null = null): CostBatch => ({
  wallMs,
  cpuMs,
  gpuTimeMs,
  energyJ,
  telemetryNote,
});

describe('cost figures', () => {
  it('sums each run’s batches and sets them side by side (seconds, joules)', () => {
    const candidate = [batch(1500, 1200, 900, 300), batch(500, 400, 100, 100)];
    const baseline = [batch(1000, 800, 500, 200), batch(1000, 800, 500, 200)];
    const byName = Object.fromEntries(costFigures(candidate, baseline).map((figure) => [figure.name, figure]));
    expect(byName['wall_s']).toEqual({ name: 'wall_s', a: 2, b: 2, delta: 0, ratio: 1, note: null });
    expect(byName['cpu_s']).toMatchObject({ a: 1.6, b: 1.6 });
    expect(byName['gpu_s']).toMatchObject({ a: 1, b: 1, delta: 0 });
    expect(byName['energy_j']).toEqual({ name: 'energy_j', a: 400, b: 400, delta: 0, ratio: 1, note: null });
  });

  it('leaves a figure unknown unless every batch measured it, and says why', () => {
    const candidate = [batch(1000, 500, 200, 50), batch(1000, 500, null, null, 'scrape failed: connect ECONNREFUSED 127.0.0.1:9400')];
    const baseline = [batch(1000, 500, null, null, 'no GPU visible')];
    const byName = Object.fromEntries(costFigures(candidate, baseline).map((figure) => [figure.name, figure]));
    expect(byName['wall_s']).toMatchObject({ a: 2, b: 1, delta: 1, ratio: 2, note: null });
    expect(byName['energy_j']).toEqual({
      name: 'energy_j',
      a: null,
      b: null,
      delta: null,
      ratio: null,
      note: 'A: 1 of 2 batches measured; scrape failed: connect ECONNREFUSED 127.0.0.1:9400; B: no GPU visible',
    });
    // One note where both runs say the same; batches stored before migration 4 have no energy and no note.
    expect(costFigures([batch(10, 1, null)], [batch(10, 1, null)]).find((f) => f.name === 'energy_j')?.note).toBe('not measured');
    expect(costFigures([batch(10, 1, null, null, 'no GPU visible')], []).find((f) => f.name === 'gpu_s')?.note).toBe('A: no GPU visible; B: no batches stored');
  });

  it('prints a table whose columns follow the comparison’s run names', () => {
    const text = costText(costFigures([batch(3000, 1000, null)], [batch(2000, 1000, null)]), { a: 'A', b: 'B', delta: 'A − B' });
    expect(text.split('\n')[0]).toMatch(/^cost \(not gated\)\s+A\s+B\s+A − B\s+A \/ B\s+note$/);
    expect(text).toMatch(/^wall_s\s+3\s+2\s+\+1 ▼\s+×1\.5$/m);
    expect(text).toMatch(/^cpu_s\s+1\s+1\s+0\s+×1$/m);
    expect(text).toMatch(/^gpu_s\s+—\s+—\s+—\s+—\s+not measured$/m);
  });
});
