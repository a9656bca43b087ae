import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../../core/io/atomicWrite.js';
import { assertSafeOutputs } from '../../core/io/outputPath.js';
import { CliError } from '../../core/errors.js';
import type { StoredRun } from '../../harness/store/index.js';
import { DEFAULT_DB } from '../defaults.js';

/**
 * The files a stored run was made from: its suite file and every existing file its stored suite
 * names (dataset, prompts, replay answers, schemas), resolved against the suite's folder as the run
 * resolved them. A suite stored with a relative path is taken relative to the current folder.
 */
export function storedRunInputs(run: Pick<StoredRun, 'suitePath' | 'suite'>): string[] {
  if (run.suitePath === null) return [];
  const base = path.dirname(path.resolve(run.suitePath));
  const named: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') named.push(path.resolve(base, value));
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(run.suite);
  return [run.suitePath, ...named.filter((file) => existsSync(file) && statSync(file).isFile())];
}

export interface WriteReportOptions {
  db: string;
  runId: string;
  baselineId?: string;
  format: 'html' | 'md';
  out: string;
  /** Also write the headline chart as SVG beside the report. */
  svg?: boolean;
}

/**
 * Where `run` (and `merge --report`) put the HTML report of a suite's model: named after the
 * database too, so two databases in one folder do not overwrite each other's reports.
 */
export function runReportPath(db: string, suiteName: string, modelId: string, outDir?: string): string {
  return path.join(outDir ?? path.dirname(db), `${path.parse(db).name}-${suiteName}-${modelId}.html`);
}

/** Builds one report from the store (opened read-only) and writes it; returns the files written. */
export async function writeReport(options: WriteReportOptions): Promise<string[]> {
  const svgPath = options.out.replace(/\.(html|md)$/i, '') + '.headline.svg';
  assertSafeOutputs(options.svg ? [options.out, svgPath] : [options.out], { db: options.db });
  const [{ RunStore }, reports, { resolveRun }] = await Promise.all([import('../../harness/store/index.js'), import('../../reports/index.js'), import('../../harness/gate/runs.js')]);
  const store = await RunStore.open(options.db, { readOnly: true });
  try {
    const run = await resolveRun(store, options.runId, 'run');
    const baseline = options.baselineId === undefined ? undefined : await resolveRun(store, options.baselineId, 'baseline');
    // A report written over the suite or a replay file would destroy what the stored run was made from.
    assertSafeOutputs(options.svg ? [options.out, svgPath] : [options.out], { db: options.db, inputs: [run, ...(baseline ? [baseline] : [])].flatMap(storedRunInputs) });
    const data = await reports.loadReportData(store, { runId: run.id, ...(baseline && { baselineId: baseline.id }) });
    mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
    writeFileAtomic(options.out, options.format === 'md' ? reports.renderReportMarkdown(data) : reports.renderReportHtml(data));
    const written = [options.out];
    if (options.svg) {
      writeFileAtomic(svgPath, await reports.renderHeadlineSvg(data));
      written.push(svgPath);
    }
    return written;
  } finally {
    await store.close();
  }
}

export function registerReportCommands(program: Command): void {
  program
    .command('report')
    .description('one self-contained HTML report (or Markdown summary) of a run, optionally against a baseline run')
    .option('--db <file>', 'DuckDB file', DEFAULT_DB)
    .requiredOption('--run <id>', 'run id, or latest:<suite>/<model>')
    .option('--baseline <id>', 'baseline run id, or latest:<suite>/<model>')
    .option('--format <format>', 'html or md', 'html')
    .option('--svg', 'also write the headline chart (quality next to GPU time and memory per batch) as SVG')
    .requiredOption('-o, --out <file>', 'output file')
    .action(async (opts: { db: string; run: string; baseline?: string; format: string; svg?: boolean; out: string }) => {
      if (opts.format !== 'html' && opts.format !== 'md') throw new CliError(`--format: expected html or md, got "${opts.format}"`);
      const written = await writeReport({ db: opts.db, runId: opts.run, ...(opts.baseline !== undefined && { baselineId: opts.baseline }), format: opts.format, out: opts.out, ...(opts.svg && { svg: true }) });
      process.stderr.write(`wrote ${written.join(', ')}\n`);
    });

  program
    .command('publish')
    .description('a static site of every run in a database: index of runs, one report each, history per suite')
    .option('--db <file>', 'DuckDB file', DEFAULT_DB)
    .requiredOption('--out <dir>', 'output folder (serve it from any static host)')
    .action(async (opts: { db: string; out: string }) => {
      const [{ RunStore }, { publishSite }] = await Promise.all([import('../../harness/store/index.js'), import('../../reports/index.js')]);
      const store = await RunStore.open(opts.db, { readOnly: true });
      try {
        const site = await publishSite(store, opts.out);
        process.stderr.write(`wrote ${site.indexPath} (${site.reports.length} reports, ${site.histories.length} histories)\n`);
      } finally {
        await store.close();
      }
    });
}
