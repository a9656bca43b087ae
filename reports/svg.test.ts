import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReportFixtureStore, openReportFixtureStore } from '../test/support/report-fixtures.js';
import { loadReportData } from './data.js';
import { renderHeadlineSvg } from './svg.js';

let fixture: ReportFixtureStore;

beforeAll(async () => {
  fixture = await openReportFixtureStore();
});
afterAll(() => fixture.dispose());

/** Mark groups of one type (`line`, `text`, ...): one per series of a line chart. */
function marks(svg: string, type: string): number {
  return svg.match(new RegExp(`<g class="mark-${type} role-mark`, 'g'))?.length ?? 0;
}

function textsReading(svg: string, text: string): number {
  return svg.split(`>${text}</text>`).length - 1;
}

describe('renderHeadlineSvg', () => {
  it('draws quality, GPU time and GPU memory lines without a browser', async () => {
    const { store, runs } = fixture;
    const svg = await renderHeadlineSvg(await loadReportData(store, { runId: runs.text.finetuned, baselineId: runs.text.base }));
    expect(svg.startsWith('<svg')).toBe(true);
    // Quality: both models; GPU time and memory: only the fine-tuned run had a GPU.
    expect(marks(svg, 'line')).toBe(4);
    expect(textsReading(svg, 'no GPU visible')).toBe(0);
    for (const title of ['mean rougeL per batch', 'GPU time per batch', 'peak GPU memory per batch', 'no GPU visible: qwen3-0.6b']) expect(svg).toContain(title);
  });

  // Issue #13: no empty GPU panels; a run without a GPU shows the CPU time and memory that did the work, and says so.
  it('draws CPU time and peak RSS where a run had no GPU figures, with a note saying why', async () => {
    const { store, runs } = fixture;
    const svg = await renderHeadlineSvg(await loadReportData(store, { runId: runs.text.base }));
    expect(marks(svg, 'line')).toBe(3);
    expect(textsReading(svg, 'no GPU visible')).toBe(0);
    for (const title of ['mean rougeL per batch', 'CPU time per batch', 'peak RSS per batch', 'no GPU visible: the models ran inside logbench']) expect(svg).toContain(title);
  });
});
