/**
 * A static site of every run in a store: `index.html` listing the runs, `runs/<run>.html` (one
 * self-contained report each), `samples/<run>.html` (its samples with the viewer's filters, applied
 * in the browser) and `history/<suite>.html`. Links are relative, so any static host
 * (or the file system) serves it as written.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../core/hash.js';
import { writeFileAtomic } from '../core/io/atomicWrite.js';
import { assertSafeOutputs } from '../core/io/outputPath.js';
import { type RunStore, type StoredRun, ViewQueries, withStoreQueries } from '../harness/store/index.js';
import { collectReportData, modelLabel } from './data.js';
import { collectHistoryData, renderHistoryHtml } from './history.js';
import { escapeHtml, renderPage, renderReportHtml } from './html.js';
import { PUBLISHED_SAMPLE_LIMIT, renderSamplesHtml } from './publishSamples.js';

export interface PublishedReport {
  runId: string;
  baselineId: string | null;
  /** Relative to the site root. */
  path: string;
  /** The run's sample page, relative to the site root. */
  samplesPath: string;
}

export interface PublishedSite {
  indexPath: string;
  reports: PublishedReport[];
  histories: { suiteName: string; path: string }[];
}

/** A file name for `name`: itself when already safe, else a safe form plus a hash so distinct names never collide. */
export function siteFileName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_');
  return safe === name ? `${name}.html` : `${safe}-${sha256(name).slice(0, 8)}.html`;
}

/**
 * The run each report compares against: a run of the same suite on the same split with another
 * model, the one that started closest in time (the earlier one on a tie); null when there is none.
 */
export function siteBaseline(run: StoredRun, runs: readonly StoredRun[]): StoredRun | null {
  const distance = (other: StoredRun) => Math.abs(Date.parse(other.startedAt) - Date.parse(run.startedAt));
  const candidates = runs.filter(
    (other) => other.id !== run.id && other.suiteName === run.suiteName && other.splitHash === run.splitHash && modelLabel(other) !== modelLabel(run),
  );
  candidates.sort((a, b) => distance(a) - distance(b) || Date.parse(a.startedAt) - Date.parse(b.startedAt));
  return candidates[0] ?? null;
}

function indexHtml(runs: readonly StoredRun[], reports: readonly PublishedReport[], histories: readonly { suiteName: string; path: string }[]): string {
  const reportOf = new Map(reports.map((report) => [report.runId, report]));
  const sections = histories.map(({ suiteName, path }) => {
    const rows = runs
      .filter((run) => run.suiteName === suiteName)
      .map((run) => {
        const report = reportOf.get(run.id);
        const baseline = report?.baselineId == null ? '—' : `<code>${escapeHtml(report.baselineId)}</code>`;
        const cells = [
          escapeHtml(run.startedAt),
          escapeHtml(modelLabel(run)),
          escapeHtml(run.task),
          escapeHtml(run.status),
          report === undefined ? escapeHtml(run.id) : `<a href="${escapeHtml(report.path)}"><code>${escapeHtml(run.id)}</code></a>`,
          report === undefined ? '—' : `<a href="${escapeHtml(report.samplesPath)}">samples</a>`,
          baseline,
        ];
        return `<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
      })
      .join('\n');
    return `<h2>${escapeHtml(suiteName)} <small>(<a href="${escapeHtml(path)}">history</a>)</small></h2>
<table class="runs"><tr><th>started</th><th>model</th><th>task</th><th>status</th><th>report</th><th>samples</th><th>compared with</th></tr>
${rows}</table>`;
  });
  return renderPage({
    title: 'logbench runs',
    headerHtml: `<header><h1>logbench runs</h1><p class="subtitle">${runs.length} runs in ${histories.length} suites · generated ${escapeHtml(new Date().toISOString())}</p></header>\n${sections.join('\n')}`,
    footerHtml: '',
    links: [],
    charts: [],
    datasets: {},
    samples: null,
  });
}

/** Writes the site for every run in `store` (open read-only) under `outDir`. */
export async function publishSite(store: Pick<RunStore, 'path' | 'readOnly' | 'listRuns' | 'getRun' | 'metrics' | 'batches' | 'predictionCounts' | 'samples' | 'predictions' | 'scoringRows'>, outDir: string): Promise<PublishedSite> {
  const runs = await store.listRuns();
  const suiteNames = [...new Set(runs.map((run) => run.suiteName))].sort();
  const histories = suiteNames.map((suiteName) => ({ suiteName, path: `history/${siteFileName(suiteName)}` }));
  const historyPath = new Map(histories.map(({ suiteName, path }) => [suiteName, path]));
  const reportPath = (runId: string) => `runs/${siteFileName(runId)}`;
  const samplesPath = (runId: string) => `samples/${siteFileName(runId)}`;
  // Every file of the site is checked before the first is written: none may land on the database.
  const siteFiles = ['index.html', ...runs.flatMap((run) => [reportPath(run.id), samplesPath(run.id)]), ...histories.map(({ path }) => path)];
  assertSafeOutputs(
    siteFiles.map((file) => join(outDir, file)),
    { db: store.path },
  );
  mkdirSync(join(outDir, 'runs'), { recursive: true });
  mkdirSync(join(outDir, 'history'), { recursive: true });
  mkdirSync(join(outDir, 'samples'), { recursive: true });

  const views = await ViewQueries.open(store);
  const reports = await withStoreQueries(store, async (queries) => {
    const written: PublishedReport[] = [];
    for (const run of runs) {
      const baseline = siteBaseline(run, runs);
      const data = await collectReportData(store, queries, { runId: run.id, ...(baseline === null ? {} : { baselineId: baseline.id }) });
      const links = [
        { href: '../index.html', text: 'all runs' },
        { href: `../${historyPath.get(run.suiteName) ?? ''}`, text: `history of ${run.suiteName}` },
      ];
      const path = reportPath(run.id);
      writeFileAtomic(join(outDir, path), renderReportHtml(data, { links: [...links, { href: `../${samplesPath(run.id)}`, text: 'samples' }] }));
      const table = await views.sampleTable(run.id, baseline?.id ?? null, PUBLISHED_SAMPLE_LIMIT);
      writeFileAtomic(join(outDir, samplesPath(run.id)), renderSamplesHtml(run, baseline, table, [...links, { href: `../${path}`, text: 'report' }]));
      written.push({ runId: run.id, baselineId: baseline?.id ?? null, path, samplesPath: samplesPath(run.id) });
    }
    for (const { suiteName, path } of histories) {
      const history = await collectHistoryData(store, queries, suiteName);
      const html = renderHistoryHtml(history, { links: [{ href: '../index.html', text: 'all runs' }], reportHref: (runId) => `../${reportPath(runId)}` });
      writeFileAtomic(join(outDir, path), html);
    }
    return written;
  }).finally(() => views.close());
  writeFileAtomic(join(outDir, 'index.html'), indexHtml(runs, reports, histories));
  return { indexPath: 'index.html', reports, histories };
}
