/**
 * The viewer's pages as plain server-rendered HTML: forms and links carry every filter in the URL
 * (so a page is a stable, pasteable address), no script runs on them, and every stored value goes
 * through `escapeHtml`, model output included. Charts live in the report pages they link or frame.
 */
import { type ListedRun, costRows } from '../../harness/gate/index.js';
import type { MetricDifference, RunComparison } from '../../harness/gate/index.js';
import type { SampleDetail, SampleFilter, SamplePage } from '../../harness/store/index.js';
import { formatChange, formatPValue, formatSigned, formatValue } from '../../core/format.js';
import { modelLabel } from '../data.js';
import { STYLE, escapeHtml } from '../html.js';
import { type RunFilter, RUN_SORT_KEYS, SAMPLE_PAGE_SIZE, queryString } from './query.js';
import { wordDiffHtml } from './wordDiff.js';

/**
 * A run as the viewer lists it: what `logbench runs` lists, the database it is in and how URLs name
 * it: `ref` is its id, prefixed `<dbKey>:` when several databases are served (ids can repeat across them).
 */
export type ViewRun = ListedRun & { db: string; dbKey: string | undefined; ref: string };

/** How URLs name run `runId` of the database `dbKey` (undefined: the only one). */
export const runRef = (dbKey: string | undefined, runId: string): string => (dbKey === undefined ? runId : `${dbKey}:${runId}`);

/**
 * One path segment naming `value`: browsers resolve a `.` or `..` segment (and `%2E`) as a path step,
 * so such a value is prefixed with `~`, as is one already starting with `~`; `decodeSegment` undoes it.
 */
export const encodeSegment = (value: string): string => (/^\.+$|^~/.test(value) ? `~${encodeURIComponent(value)}` : encodeURIComponent(value));
export const decodeSegment = (segment: string): string => (segment.startsWith('~') ? segment.slice(1) : segment);

/** No script, no request elsewhere: the pages are markup, forms and same-origin frames of reports. */
export const VIEW_CSP = ["default-src 'none'", "style-src 'unsafe-inline'", "img-src 'self' data:", "frame-src 'self'", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'self'"].join('; ');

const VIEW_STYLE = `
ins { background: #d4f7d4; text-decoration: none; } del { background: #fbd5d5; }
.filters { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; margin: 0.5rem 0; }
.filters label { display: flex; flex-direction: column; font-size: 12px; color: #555; }
.outputs-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 0.8rem; }
.output-card { border: 1px solid #ddd; padding: 0.4rem 0.6rem; }
iframe.report { width: 100%; height: 900px; border: 1px solid #ddd; }
.pages a { margin-right: 0.6rem; }
`;

export function viewPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}${VIEW_STYLE}</style>
</head>
<body>
<nav><a href="/">all runs</a></nav>
${body}
</body>
</html>
`;
}

export function errorPage(status: number, message: string): string {
  return viewPage(`logbench view: ${status}`, `<h1>${status}</h1>\n<p class="warning" id="error">${escapeHtml(message)}</p>`);
}

function cells(values: readonly string[], tag: 'td' | 'th' = 'td'): string {
  return `<tr>${values.map((value) => `<${tag}>${value}</${tag}>`).join('')}</tr>`;
}

function select(name: string, values: readonly string[], chosen: string | undefined, anyText: string): string {
  const options = [`<option value="">${escapeHtml(anyText)}</option>`, ...values.map((value) => `<option value="${escapeHtml(value)}"${value === chosen ? ' selected' : ''}>${escapeHtml(value)}</option>`)];
  return `<select name="${escapeHtml(name)}">${options.join('')}</select>`;
}

function input(name: string, value: string | number | undefined, attributes = ''): string {
  return `<input name="${escapeHtml(name)}" value="${escapeHtml(value === undefined ? '' : String(value))}"${attributes}>`;
}

/** Links take a run's `ref`; a baseline or `changed` run is an id in the same database. */
const runHref = (ref: string) => `/runs/${encodeSegment(ref)}`;
const samplesHref = (ref: string, params: Record<string, string | number | undefined> = {}) => `${runHref(ref)}/samples${queryString(params)}`;
const sampleHref = (ref: string, sampleId: string, baseline?: string) => `${runHref(ref)}/samples/${encodeSegment(sampleId)}${queryString({ baseline })}`;
export const reportHref = (ref: string, baselineId?: string) => `/report${queryString({ run: ref, baseline: baselineId })}`;
const historyHref = (run: ViewRun) => `/history${queryString({ suite: run.suiteName, db: run.dbKey })}`;

/** Runs, all suites and databases, filtered and sorted; the checked ones go to the comparison. */
export function runsPage(all: readonly ViewRun[], shown: readonly ViewRun[], filter: RunFilter): string {
  const distinct = (values: string[]) => [...new Set(values)].sort();
  const sortLink = (key: string) => {
    const descending = filter.sort === key ? !filter.descending : key === 'started';
    const params = { suite: filter.suite, model: filter.model, status: filter.status, from: filter.from, to: filter.to, sort: key, dir: descending ? 'desc' : 'asc' };
    const arrow = filter.sort === key ? (filter.descending ? ' ▼' : ' ▲') : '';
    return `<a href="/${escapeHtml(queryString(params))}" class="sort" data-sort="${key}">${key}${arrow}</a>`;
  };
  const rows = shown.map((run) =>
    cells([
      `<input type="checkbox" name="run" value="${escapeHtml(run.ref)}" aria-label="select ${escapeHtml(run.ref)}">`,
      `<a href="${escapeHtml(runHref(run.ref))}"><code>${escapeHtml(run.ref)}</code></a>`,
      escapeHtml(run.suiteName),
      escapeHtml(modelLabel(run)),
      escapeHtml(run.status),
      escapeHtml(String(run.samples) + (run.failed > 0 ? ` (${run.failed} failed)` : '')),
      escapeHtml(run.startedAt),
      `<a href="${escapeHtml(samplesHref(run.ref))}">samples</a>`,
    ]),
  );
  const dbs = distinct(all.map((run) => run.db));
  return viewPage(
    'logbench runs',
    `<header><h1>logbench runs</h1><p class="subtitle">${shown.length} of ${all.length} runs · ${dbs.map((db) => `<code>${escapeHtml(db)}</code>`).join(', ')}</p></header>
<form class="filters" method="get" action="/" id="run-filters">
<label>suite ${select('suite', distinct(all.map((run) => run.suiteName)), filter.suite, 'any suite')}</label>
<label>model ${select('model', distinct(all.map((run) => run.modelId)), filter.model, 'any model')}</label>
<label>status ${select('status', distinct(all.map((run) => run.status)), filter.status, 'any status')}</label>
<label>from ${input('from', filter.from, ' type="date"')}</label>
<label>to ${input('to', filter.to, ' type="date"')}</label>
<input type="hidden" name="sort" value="${escapeHtml(filter.sort)}"><input type="hidden" name="dir" value="${filter.descending ? 'desc' : 'asc'}">
<button type="submit">filter</button> <a href="/">clear</a>
</form>
<form method="get" action="/compare" id="compare-form">
<table class="runs" id="runs">
${cells(['', 'run', ...RUN_SORT_KEYS.filter((key) => key !== 'started').slice(0, 3).map(sortLink), sortLink('samples'), sortLink('started'), ''], 'th')}
${rows.join('\n')}
</table>
<button type="submit">compare selected runs</button> <span class="note">the first one selected is the baseline; the comparison page can change it</span>
</form>`,
  );
}

export function runPage(run: ViewRun, metrics: readonly { name: string; value: number | null; ciLow: number | null; ciHigh: number | null; n: number }[], others: readonly ViewRun[]): string {
  const interval = (low: number | null, high: number | null) => (low === null || high === null ? '—' : `[${formatValue(low)}, ${formatValue(high)}]`);
  const metricRows = metrics.map((metric) => cells([escapeHtml(metric.name), escapeHtml(formatValue(metric.value)), escapeHtml(interval(metric.ciLow, metric.ciHigh)), String(metric.n)]));
  const comparable = others.filter((other) => other.id !== run.id && other.suiteName === run.suiteName && other.splitHash === run.splitHash && other.db === run.db);
  return viewPage(
    `logbench run ${run.id}`,
    `<header><h1>run <code>${escapeHtml(run.id)}</code></h1>
<p class="subtitle">${escapeHtml(run.suiteName)} · ${escapeHtml(modelLabel(run))} · ${escapeHtml(run.provider)} · ${escapeHtml(run.status)} · started ${escapeHtml(run.startedAt)} · ${run.samples} samples${run.failed > 0 ? ` (${run.failed} failed)` : ''} · <code id="run-db">${escapeHtml(run.db)}</code></p></header>
<p><a href="${escapeHtml(samplesHref(run.ref))}">samples</a> · <a href="${escapeHtml(reportHref(run.ref))}">report</a> · <a href="${escapeHtml(historyHref(run))}">history of ${escapeHtml(run.suiteName)}</a></p>
<h2>Metrics</h2>
<table id="metrics">${cells(['metric', 'value', 'interval', 'n'], 'th')}${metricRows.join('\n')}</table>
<h2>Compare with</h2>
${comparable.length === 0 ? '<p class="note">No other run of this suite on the same split.</p>' : `<ul>${comparable.map((other) => `<li><a href="${escapeHtml(compareHref([other.ref, run.ref], other.ref))}">${escapeHtml(`${modelLabel(other)} (${other.id})`)} as baseline</a></li>`).join('')}</ul>`}`,
  );
}

export function compareHref(runRefs: readonly string[], baselineRef: string): string {
  const params = new URLSearchParams();
  for (const ref of runRefs) params.append('run', ref);
  params.append('baseline', baselineRef);
  return `/compare?${params.toString()}`;
}

/** One column group per candidate: its value, the difference from the baseline with its interval, p and test. */
export interface CandidateComparison {
  run: ViewRun;
  comparison: RunComparison | null;
  /** Why the candidate could not be compared (not comparable, another database). */
  refused: string | null;
}

export function comparePage(baseline: ViewRun, runs: readonly ViewRun[], candidates: readonly CandidateComparison[]): string {
  const names = [...new Set(candidates.flatMap((candidate) => candidate.comparison?.metrics.map((metric) => metric.name) ?? []))];
  const differenceOf = (candidate: CandidateComparison, name: string): MetricDifference | undefined => candidate.comparison?.metrics.find((metric) => metric.name === name);
  const baselineValue = (name: string) => {
    for (const candidate of candidates) {
      const difference = differenceOf(candidate, name);
      if (difference) return difference.b;
    }
    return null;
  };
  const candidateCells = (candidate: CandidateComparison, name: string) => {
    const m = differenceOf(candidate, name);
    if (m === undefined) return ['—', '—', '—', '—'];
    const interval = m.ciLow === null || m.ciHigh === null ? '—' : `[${formatSigned(m.ciLow)}, ${formatSigned(m.ciHigh)}]`;
    // ▲ better, ▼ worse in the metric's own direction, as `logbench compare` prints it.
    return [formatValue(m.a), formatChange(m.delta, m.higherIsBetter), interval, `${formatPValue(m.pValue, m.resamples)} ${m.method}${m.untested === null ? '' : ` (${m.untested})`}`].map(escapeHtml);
  };
  const headerTop = `<tr><th rowspan="2">metric</th><th rowspan="2">baseline<br>${escapeHtml(modelLabel(baseline))}<br><code>${escapeHtml(baseline.id)}</code></th>${candidates
    .map((candidate) => `<th colspan="4">${escapeHtml(modelLabel(candidate.run))}<br><code>${escapeHtml(candidate.run.id)}</code></th>`)
    .join('')}</tr>`;
  const headerBottom = `<tr>${candidates.map(() => '<th>value</th><th>− baseline</th><th>interval</th><th>p · test</th>').join('')}</tr>`;
  const rows = names.map((name) => cells([escapeHtml(name), escapeHtml(formatValue(baselineValue(name))), ...candidates.flatMap((candidate) => candidateCells(candidate, name))]));
  const refusals = candidates.filter((candidate) => candidate.refused !== null).map((candidate) => `<p class="warning">${escapeHtml(`${candidate.run.id}: ${candidate.refused ?? ''}`)}</p>`);
  const baselineChoice = runs
    .map((run) => `<label><input type="radio" name="baseline" value="${escapeHtml(run.ref)}"${run.ref === baseline.ref ? ' checked' : ''}> ${escapeHtml(`${modelLabel(run)} (${run.id})`)}</label>`)
    .join('<br>');
  // What each candidate cost against the baseline, the table `logbench compare` prints under its metrics.
  const costTables = candidates.flatMap((candidate) =>
    candidate.comparison === null
      ? []
      : [
          `<table class="cost" data-run="${escapeHtml(candidate.run.ref)}">${cells(['cost (not gated)', escapeHtml(modelLabel(candidate.run)), `baseline ${escapeHtml(modelLabel(baseline))}`, '− baseline', 'run / baseline', 'note'], 'th')}${costRows(candidate.comparison.cost)
            .map((row) => cells(row.map(escapeHtml)))
            .join('')}</table>`,
        ],
  );
  const confidence = candidates.find((candidate) => candidate.comparison !== null)?.comparison?.confidence;
  const frames = candidates
    .filter((candidate) => candidate.comparison !== null)
    .map(
      (candidate) => `<h3>${escapeHtml(modelLabel(candidate.run))} against ${escapeHtml(modelLabel(baseline))}</h3>
<p><a href="${escapeHtml(samplesHref(candidate.run.ref, { changed: baseline.id }))}">samples that changed</a> · <a href="${escapeHtml(reportHref(candidate.run.ref, baseline.id))}">report on its own page</a></p>
<iframe class="report" title="report ${escapeHtml(candidate.run.ref)}" src="${escapeHtml(reportHref(candidate.run.ref, baseline.id))}"></iframe>`,
    );
  return viewPage(
    `logbench compare: ${runs.length} runs`,
    `<header><h1>Compare ${runs.length} runs</h1><p class="subtitle">${escapeHtml(baseline.suiteName)} · baseline ${escapeHtml(modelLabel(baseline))} (<code>${escapeHtml(baseline.id)}</code>)${
      confidence === undefined ? '' : ` · ${Math.round(confidence * 100)} % paired intervals`
    }</p></header>
<form method="get" action="/compare" id="baseline-form">${runs.map((run) => `<input type="hidden" name="run" value="${escapeHtml(run.ref)}">`).join('')}
<fieldset><legend>baseline</legend>${baselineChoice}<br><button type="submit">compare against it</button></fieldset></form>
${refusals.join('\n')}
<h2>Metrics</h2>
<p class="description">Each run minus the baseline, sample by sample (paired bootstrap; exact McNemar for accuracy), as <code>logbench compare</code> and the gate compute it.</p>
<table id="comparison">${headerTop}${headerBottom}${rows.join('\n')}</table>
<h2>Cost</h2>
<p class="description">Totals over each run's batches: ▼ where the run cost more than the baseline. Informative; no gate fails on it.</p>
${costTables.join('\n')}
<p><a href="${escapeHtml(historyHref(baseline))}">history of every metric of ${escapeHtml(baseline.suiteName)} over time</a></p>
<h2>Per-batch quality, GPU time, memory and energy</h2>
${frames.join('\n')}`,
  );
}

function filterForm(runRef: string, filter: SampleFilter, metricNames: readonly string[], otherRuns: readonly ViewRun[]): string {
  return `<form class="filters" method="get" action="${escapeHtml(samplesHref(runRef))}" id="sample-filters">
<label>search inputs and outputs ${input('q', filter.search, ' type="search"')}</label>
<label>metric ${select('metric', metricNames, filter.metric, 'none')}</label>
<label>min ${input('min', filter.min, ' size="5"')}</label>
<label>max ${input('max', filter.max, ' size="5"')}</label>
<label>errors <select name="errors"><option value="">any</option><option value="only"${filter.errors === 'only' ? ' selected' : ''}>failed only</option><option value="none"${filter.errors === 'none' ? ' selected' : ''}>no failures</option></select></label>
<label>label ${input('label', filter.label, ' size="10"')}</label>
<label>changed from ${select('changed', otherRuns.map((run) => run.id), filter.changedFrom, 'no other run')}</label>
<button type="submit">filter</button> <a href="${escapeHtml(samplesHref(runRef))}">clear</a>
</form>`;
}

function filterParams(filter: SampleFilter): Record<string, string | number | undefined> {
  return { q: filter.search, metric: filter.metric, min: filter.min, max: filter.max, errors: filter.errors, label: filter.label, changed: filter.changedFrom };
}

export function samplesPage(run: ViewRun, filter: SampleFilter, page: number, samples: SamplePage, metricNames: readonly string[], otherRuns: readonly ViewRun[]): string {
  const pages = Math.max(1, Math.ceil(samples.total / SAMPLE_PAGE_SIZE));
  const link = (target: number, text: string) => `<a href="${escapeHtml(samplesHref(run.ref, { ...filterParams(filter), page: target }))}" rel="${text}">${text}</a>`;
  const pager = `<p class="pages">${page > 1 ? link(page - 1, 'prev') : ''}page ${page} of ${pages} · ${samples.total} samples${page < pages ? ` ${link(page + 1, 'next')}` : ''}</p>`;
  const baseline = filter.changedFrom;
  const rows = samples.rows.map((sample) =>
    cells([
      `<a href="${escapeHtml(sampleHref(run.ref, sample.sampleId, baseline))}"><code>${escapeHtml(sample.sampleId)}</code></a>`,
      escapeHtml(formatValue(sample.score)),
      escapeHtml([sample.goldLabel, sample.predictedLabel].map((label) => label ?? '—').join(' → ')),
      `<pre>${escapeHtml(sample.input)}</pre>`,
      sample.error === null ? `<pre>${escapeHtml(sample.output ?? '')}</pre>` : `<pre class="error">${escapeHtml(`error: ${sample.error}`)}</pre>`,
    ]),
  );
  return viewPage(
    `logbench samples of ${run.id}`,
    `<header><h1>Samples of <a href="${escapeHtml(runHref(run.ref))}"><code>${escapeHtml(run.ref)}</code></a></h1><p class="subtitle">${escapeHtml(run.suiteName)} · ${escapeHtml(modelLabel(run))}</p></header>
${filterForm(run.ref, filter, metricNames, otherRuns)}
${pager}
<table id="samples">${cells(['sample', escapeHtml(filter.metric ?? 'score'), 'gold → predicted label', 'input', 'output'], 'th')}${rows.join('\n')}</table>
${pager}`,
  );
}

function textBlock(title: string, html: string, id?: string): string {
  return `<div class="text-block"${id === undefined ? '' : ` id="${escapeHtml(id)}"`}><div class="text-title">${escapeHtml(title)}</div><pre>${html}</pre></div>`;
}

/** The sample, and every run's output side by side with word diffs against the reference and the baseline's output. */
export function samplePage(run: ViewRun, detail: SampleDetail, baselineId: string | undefined): string {
  const baseline = detail.outputs.find((output) => output.runId === (baselineId ?? run.id));
  const cards = detail.outputs.map((output) => {
    const text = output.error === null ? (output.output ?? output.label ?? '') : `error: ${output.error}`;
    const scores = output.scores.map((score) => cells([escapeHtml(score.name), escapeHtml(formatValue(score.value))])).join('');
    const diffs = [
      ...(detail.reference === null ? [] : [textBlock('against the reference', wordDiffHtml(detail.reference, text))]),
      ...(baseline === undefined || baseline.runId === output.runId
        ? []
        : [textBlock(`against the baseline ${baseline.modelId}`, wordDiffHtml(baseline.error === null ? (baseline.output ?? baseline.label ?? '') : `error: ${baseline.error}`, text))]),
    ];
    const role = output.runId === run.id ? ' (this run)' : output.runId === baseline?.runId ? ' (baseline)' : '';
    return `<div class="output-card" data-run="${escapeHtml(output.runId)}">
<div class="text-title"><a href="${escapeHtml(sampleHref(runRef(run.dbKey, output.runId), detail.sampleId, baselineId))}">${escapeHtml(`${modelLabel(output)}${role}`)}</a> <code>${escapeHtml(output.runId)}</code></div>
${textBlock('output', escapeHtml(text))}
${output.label === null ? '' : `<p>label: <code>${escapeHtml(output.label)}</code></p>`}
${diffs.join('\n')}
<table class="scores">${scores}</table>
</div>`;
  });
  return viewPage(
    `logbench sample ${detail.sampleId}`,
    `<header><h1>Sample <code>${escapeHtml(detail.sampleId)}</code></h1><p class="subtitle">${escapeHtml(run.suiteName)} · <a href="${escapeHtml(samplesHref(run.ref))}">samples of ${escapeHtml(run.ref)}</a>${
      baseline === undefined ? '' : ` · baseline ${escapeHtml(baseline.modelId)} <code>${escapeHtml(baseline.runId)}</code>`
    }</p></header>
${textBlock('input (the prompt’s {{input}})', escapeHtml(detail.input), 'sample-input')}
${detail.reference === null ? '' : textBlock('reference', escapeHtml(detail.reference), 'sample-reference')}
${detail.label === null ? '' : textBlock('gold label', escapeHtml(detail.label))}
<h2>Outputs of every run of this split</h2>
<div class="outputs-grid" id="outputs">${cards.join('\n')}</div>`,
  );
}
