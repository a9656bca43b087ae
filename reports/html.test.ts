import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_OUTPUT, type ReportFixtureStore, openReportFixtureStore } from '../test/support/report-fixtures.js';
import { type ReportData, loadReportData } from './data.js';
import { escapeHtml, gpuDefinitions, renderReportHtml, scriptSafeJson } from './html.js';

let fixture: ReportFixtureStore;
let data: ReportData;
let html: string;

beforeAll(async () => {
  fixture = await openReportFixtureStore();
  data = await loadReportData(fixture.store, { runId: fixture.runs.text.finetuned, baselineId: fixture.runs.text.base });
  html = renderReportHtml(data);
});
afterAll(() => fixture.dispose());

/** Bodies of the page's <script> elements, with their attributes. */
function scripts(page: string): { attributes: string; body: string }[] {
  return [...page.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((match) => ({ attributes: match[1] ?? '', body: match[2] ?? '' }));
}

describe('scriptSafeJson', () => {
  it('escapes everything that could end a script element or break a JS line, and reads back unchanged', () => {
    const value = { text: `${HOSTILE_OUTPUT} <!-- \u2029 </SCRIPT>` };
    const json = scriptSafeJson(value);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual(value);
  });

  it('keeps six significant digits of fractions, integers whole', () => {
    expect(JSON.parse(scriptSafeJson({ a: 0.123456789, b: 123456789, c: 1234.56789 }))).toEqual({ a: 0.123457, b: 123456789, c: 1234.57 });
  });
});

describe('escapeHtml', () => {
  it('escapes markup and both quote kinds', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('renderReportHtml', () => {
  it('has exactly the payload, the three vega builds and the viewer as scripts', () => {
    const found = scripts(html);
    expect(found.map((script) => script.attributes.trim())).toEqual(['type="application/json" id="report-payload"', '', '', '', '']);
    expect(found[1]?.body.length).toBeGreaterThan(100_000);
    expect(html).not.toContain('sourceMappingURL');
  });

  it('never lets model text end the payload script: it is escaped there and reads back whole', () => {
    expect(html).not.toContain('<script>window.__pwned');
    expect(html).not.toContain('<img src=x');
    const payload = JSON.parse(scripts(html)[0]?.body ?? '') as { samples: { worst: { input: string; outputs: { output: string | null }[] }[] } };
    expect(payload.samples.worst[0]?.outputs[0]?.output).toBe(HOSTILE_OUTPUT);
    expect(payload.samples.worst[0]?.input.startsWith(HOSTILE_OUTPUT)).toBe(true);
  });

  it('allows only its own scripts, by hash, and no request of any kind', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1]?.replace(/&#39;/g, "'") ?? '';
    expect(csp).toContain("default-src 'none'");
    for (const script of scripts(html).slice(1)) {
      expect(csp).toContain(`'sha256-${createHash('sha256').update(script.body, 'utf8').digest('base64')}'`);
    }
    expect(csp).not.toMatch(/connect-src|https?:|'self'/);
    const markup = html.replace(/<script([^>]*)>[\s\S]*?<\/script>/g, '<script$1></script>');
    expect(markup).not.toMatch(/<(link|img|iframe|object|embed|base)\b/i);
    expect(markup).not.toMatch(/\b(src|srcset|action)=|url\(|@import/i);
  });

  it('escapes names in the static tables', () => {
    const hostile = { ...data, metrics: data.metrics.map((metric) => ({ ...metric, name: `<b>${metric.name}</b>` })) };
    const page = renderReportHtml(hostile);
    expect(page).toContain('&lt;b&gt;rougeL&lt;/b&gt;');
    expect(page).not.toContain('<b>rougeL</b>');
  });

  it('defines GPU time and says which run had no GPU', () => {
    expect(html).toContain(escapeHtml(gpuDefinitions(data.runs).gpuTime));
    expect(html).toContain('<strong>no GPU visible</strong> for qwen3-0.6b');
  });

  it('defines the GPU figures in the words of the telemetry the runs used, memory in MiB', () => {
    const local = gpuDefinitions([{ model: 'a', gpuSource: 'nvidia-smi' }]);
    expect(local.gpuTime).toContain('nvidia-smi’s utilization.gpu');
    expect(local.gpuTime).toContain('nvidia-smi’s memory.used gives it, in MiB');
    expect(local.energy).toContain('nvidia-smi’s power.draw integrated over the batch window');
    // nvidia-smi has no total_energy_consumption query field: energy is never said to come from one.
    expect(`${local.gpuTime} ${local.energy}`).not.toMatch(/DCGM|total_energy_consumption/);
    const remote = gpuDefinitions([{ model: 'b', gpuSource: 'dcgm' }]);
    expect(remote.gpuTime).toContain('DCGM_FI_DEV_GPU_UTIL');
    expect(remote.gpuTime).toContain('DCGM_FI_DEV_FB_USED gives it, in MiB');
    expect(remote.energy).toContain('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter (mJ) between the batch’s opening and closing scrape');
    expect(`${remote.gpuTime} ${remote.energy}`).not.toContain('nvidia-smi');
    // Runs measured by different telemetry: each source names its runs.
    const both = gpuDefinitions([{ model: 'a', gpuSource: 'nvidia-smi' }, { model: 'b', gpuSource: 'dcgm' }, { model: 'c', gpuSource: null }]);
    expect(both.gpuTime).toContain('(the share of each sample period in which a kernel ran) (a); the DCGM exporter’s DCGM_FI_DEV_GPU_UTIL (b)');
    expect(both.energy).toContain('(nvidia-smi has no energy counter among its query fields) (a); the rise of');
  });

  it('gives every chart a container and warns when runs are not comparable', () => {
    for (const id of ['headline', 'quality', 'quality-cost', 'latency', 'tokens', 'resources']) expect(html).toContain(`<div class="chart-view" id="chart-${id}">`);
    expect(html).not.toContain('not directly comparable');
    const incomparable = renderReportHtml({ ...data, comparability: { sameSplit: false, samePrompt: true, sameDecoding: false } });
    expect(incomparable).toContain('These runs differ in test split (split hash), decoding parameters');
  });

  it('adds navigation links, escaped', () => {
    const page = renderReportHtml(data, { links: [{ href: '../index.html?a=1&b="2"', text: 'all <runs>' }] });
    expect(page).toContain('<nav><a href="../index.html?a=1&amp;b=&quot;2&quot;">all &lt;runs&gt;</a></nav>');
  });
});

describe('the verdict in the headline', () => {
  it('opens the report with the sentence on candidate vs baseline, from the stored runs', () => {
    expect(data.verdict).toMatch(/^qwen3-0\.6b-logs vs qwen3-0\.6b: \S+ [\d.]+ vs [\d.]+ \([+-][\d.]+, 95 % CI \[[+-]?[\d.]+, [+-]?[\d.]+\], .+ p [=<] [\d.]+\): (significantly better|significantly worse|no significant difference), /);
    expect(html).toContain(`<p class="verdict" id="verdict">${escapeHtml(data.verdict ?? '')}</p>`);
    expect(html.indexOf('id="verdict"')).toBeLessThan(html.indexOf('<h2>Runs</h2>'));
  });

  it('is left out when there is no baseline to compare with', async () => {
    const alone = await loadReportData(fixture.store, { runId: fixture.runs.text.base });
    expect(alone.verdict).toBeNull();
    expect(renderReportHtml(alone)).not.toContain('class="verdict"');
  });
});
