/**
 * The script every report page runs: embeds each chart with its datasets, then fills the sample
 * browser. Model text only ever reaches the page through `textContent`, never as HTML. Plain
 * browser JavaScript in a string, since the project compiles without the DOM library.
 */
export const VIEWER_SCRIPT = String.raw`(function () {
  'use strict';
  var payload = JSON.parse(document.getElementById('report-payload').textContent);

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function score(value) {
    return value === null || value === undefined ? '—' : String(Number(value.toPrecision(4)));
  }

  function renderChart(chart) {
    var container = document.getElementById('chart-' + chart.id);
    var datasets = {};
    chart.datasets.forEach(function (name) { datasets[name] = payload.datasets[name]; });
    var spec = Object.assign({}, chart.spec, { datasets: datasets });
    return vegaEmbed(container, spec, { mode: 'vega-lite', renderer: 'svg', actions: false })
      .then(function (result) {
        container.setAttribute('data-rendered', 'true');
        return result;
      })
      .catch(function (error) {
        container.setAttribute('data-rendered', 'error');
        container.textContent = 'This chart failed to render: ' + error.message;
        console.error(error);
      });
  }

  function textBlock(title, text) {
    var block = element('div', 'text-block');
    block.appendChild(element('div', 'text-title', title));
    block.appendChild(element('pre', null, text === null ? '(none)' : text));
    return block;
  }

  function renderSample(sample) {
    var details = element('details', 'sample');
    var qualities = sample.outputs.map(function (output) { return output.model + ' ' + score(output.quality); }).join(' · ');
    var delta = sample.delta === null ? '' : ' · Δ ' + score(sample.delta);
    details.appendChild(element('summary', null, sample.sampleId + ' — ' + qualities + delta));
    details.appendChild(textBlock('input', sample.input));
    if (sample.reference !== null) details.appendChild(textBlock('reference', sample.reference));
    if (sample.label !== null) details.appendChild(textBlock('gold label', sample.label));
    var outputs = element('div', 'outputs');
    sample.outputs.forEach(function (output) {
      var text = output.error !== null ? 'error: ' + output.error : output.output;
      var title = output.model + (output.label !== null ? ' (label: ' + output.label + ')' : '') + ' — ' + score(output.quality);
      outputs.appendChild(textBlock(title, text));
    });
    details.appendChild(outputs);
    return details;
  }

  function renderSampleList(id, samples) {
    var container = document.getElementById(id);
    if (!container) return;
    if (samples.length === 0) {
      container.appendChild(element('p', 'note', 'No samples to show.'));
      return;
    }
    samples.forEach(function (sample) { container.appendChild(renderSample(sample)); });
  }

  if (payload.samples) {
    renderSampleList('samples-worst', payload.samples.worst);
    renderSampleList('samples-changed', payload.samples.mostChanged);
  }
  Promise.all(payload.charts.map(renderChart)).then(function () {
    document.body.setAttribute('data-charts-done', String(payload.charts.length));
  });
})();
`;
