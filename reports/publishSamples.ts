/**
 * The static site's sample page of one run: the run's samples as JSON in the page and the viewer's
 * sample filters (search, metric range, errors, label, changed from the baseline) applied in the
 * browser, since a static host has no server to ask. Text only ever reaches the page through
 * `textContent`; the one script runs by hash under a CSP that allows no request.
 */
import type { SampleTableRow, StoredRun } from '../harness/store/index.js';
import { modelLabel } from './data.js';
import { STYLE, escapeHtml, scriptHash, scriptSafeJson } from './html.js';

/** Samples a published page holds: beyond this the page would weigh tens of MB; `logbench view` pages through the rest. */
export const PUBLISHED_SAMPLE_LIMIT = 5000;
/** Rows drawn at once; the filters always run over every sample held. */
const ROWS_SHOWN = 100;

/** Plain browser JavaScript (the project compiles without the DOM library); the filters mean what the viewer's query parameters mean. */
export const SAMPLE_FILTER_SCRIPT = String.raw`(function () {
  'use strict';
  var payload = JSON.parse(document.getElementById('samples-payload').textContent);
  var form = document.getElementById('sample-filters');
  var body = document.getElementById('samples-body');
  var count = document.getElementById('samples-count');
  var shown = ${ROWS_SHOWN};
  function cell(row, text, tag) {
    var node = document.createElement(tag || 'td');
    node.textContent = text === null || text === undefined ? '—' : String(text);
    row.appendChild(node);
    return node;
  }
  function value(name) { return form.elements[name] ? form.elements[name].value.trim() : ''; }
  function number(name) {
    var text = value(name);
    if (text === '') return null;
    var parsed = Number(text);
    return isFinite(parsed) ? parsed : NaN;
  }
  function apply() {
    var search = value('q').toLowerCase();
    var metric = value('metric');
    var min = number('min');
    var max = number('max');
    var errors = value('errors');
    var label = value('label');
    var changed = form.elements.changed && form.elements.changed.checked;
    if (Number.isNaN(min) || Number.isNaN(max)) {
      count.textContent = 'min and max must be numbers';
      return;
    }
    var matches = payload.samples.filter(function (s) {
      if (search && [s.input, s.reference, s.output].every(function (t) { return !t || t.toLowerCase().indexOf(search) < 0; })) return false;
      var score = metric ? s.scores[metric] : undefined;
      if ((min !== null || max !== null) && (score === null || score === undefined)) return false;
      if (min !== null && score < min) return false;
      if (max !== null && score > max) return false;
      if (errors === 'only' && s.error === null) return false;
      if (errors === 'none' && s.error !== null) return false;
      if (label && s.goldLabel !== label && s.predictedLabel !== label) return false;
      if (changed && s.changed !== true) return false;
      return true;
    });
    while (body.firstChild) body.removeChild(body.firstChild);
    matches.slice(0, shown).forEach(function (s) {
      var row = document.createElement('tr');
      cell(row, s.sampleId);
      cell(row, metric && s.scores[metric] !== undefined && s.scores[metric] !== null ? Number(s.scores[metric].toPrecision(4)) : null);
      cell(row, (s.goldLabel || '—') + ' → ' + (s.predictedLabel || '—'));
      cell(cell(row, '', 'td'), s.input, 'pre');
      cell(cell(row, '', 'td'), s.error !== null ? 'error: ' + s.error : s.output, 'pre');
      body.appendChild(row);
    });
    count.textContent = matches.length + ' of ' + payload.samples.length + ' samples match' + (matches.length > shown ? ' (first ' + shown + ' shown)' : '');
  }
  form.addEventListener('input', apply);
  form.addEventListener('submit', function (event) { event.preventDefault(); apply(); });
  apply();
  document.body.setAttribute('data-samples-ready', 'true');
})();
`;

function option(value: string, text: string): string {
  return `<option value="${escapeHtml(value)}">${escapeHtml(text)}</option>`;
}

/** The page of `run`'s samples; `baseline` adds the "changed from it" filter. */
export function renderSamplesHtml(run: StoredRun, baseline: StoredRun | null, table: { total: number; rows: readonly SampleTableRow[] }, links: readonly { href: string; text: string }[]): string {
  const metricNames = [...new Set(table.rows.flatMap((row) => Object.keys(row.scores)))].sort();
  const csp = ["default-src 'none'", `script-src ${scriptHash(SAMPLE_FILTER_SCRIPT)}`, "style-src 'unsafe-inline'", "base-uri 'none'", "form-action 'none'"].join('; ');
  const held = table.total > table.rows.length ? `the first ${table.rows.length} of ${table.total} samples (by id; \`logbench view\` pages through all of them)` : `all ${table.total} samples`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<title>${escapeHtml(`logbench samples: ${run.suiteName} — ${modelLabel(run)}`)}</title>
<style>${STYLE}
.filters { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; } .filters label { display: flex; flex-direction: column; font-size: 12px; color: #555; }</style>
</head>
<body>
<nav>${links.map((link) => `<a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a>`).join('')}</nav>
<header><h1>Samples of ${escapeHtml(modelLabel(run))}</h1><p class="subtitle">${escapeHtml(run.suiteName)} · run <code>${escapeHtml(run.id)}</code> · ${escapeHtml(held)}</p></header>
<noscript><p class="warning">The sample filters need JavaScript.</p></noscript>
<form class="filters" id="sample-filters">
<label>search inputs and outputs <input name="q" type="search"></label>
<label>metric <select name="metric">${option('', 'none')}${metricNames.map((name) => option(name, name)).join('')}</select></label>
<label>min <input name="min" size="5"></label>
<label>max <input name="max" size="5"></label>
<label>errors <select name="errors">${option('', 'any')}${option('only', 'failed only')}${option('none', 'no failures')}</select></label>
<label>label <input name="label" size="10"></label>
${baseline === null ? '' : `<label>changed from ${escapeHtml(modelLabel(baseline))} <input name="changed" type="checkbox"></label>`}
</form>
<p id="samples-count"></p>
<table id="samples"><thead><tr><th>sample</th><th>score</th><th>gold → predicted label</th><th>input</th><th>output</th></tr></thead><tbody id="samples-body"></tbody></table>
<script type="application/json" id="samples-payload">${scriptSafeJson({ samples: table.rows })}</script>
<script>${SAMPLE_FILTER_SCRIPT}</script>
</body>
</html>
`;
}
