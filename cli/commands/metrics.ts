import type { Command } from 'commander';
import { z } from 'zod';
import type { Label } from '../../metrics/classification.js';
import { readJsonl } from '../../core/io/jsonl.js';
import { CliError } from '../../core/errors.js';
import { wholeNumberFlag } from '../flags.js';
import { coresGiven } from '../../core/cpuQuota.js';

export function registerMetricsCommands(program: Command): void {
  program
    .command('metrics')
    .description('text metrics (fuzzy, Levenshtein, ROUGE-1/2/L/Lsum, HF BLEU, sacreBLEU) for prediction/reference pairs')
    .requiredOption('--pairs <file>', 'JSONL: {"prediction": str, "reference": str} (or "references": [str]) per line; "-" reads stdin')
    .option('--stem', 'Porter-stem tokens for ROUGE (rouge_score use_stemmer=True)', false)
    .option('--workers <n>', 'threads scoring in parallel (the main thread and N-1 workers)', wholeNumberFlag('--workers', 1), 1)
    .option('--no-levenshtein', 'leave out the Levenshtein distance and ratios (a second pass over the characters)')
    .option('--no-chrf', 'leave out chrF and chrF++ (their own character n-gram counts)')
    .option('--json', 'print JSON (the only output format; accepted for scripts that pass it)', true)
    .action(async (opts: { pairs: string; stem: boolean; workers: number; levenshtein: boolean; chrf: boolean }) => {
      // More threads than cores only add memory (each worker holds its own heap), never speed.
      const cores = coresGiven();
      if (opts.workers > cores) process.stderr.write(`metrics: --workers ${opts.workers} capped at ${cores}, the cores this process may use\n`);
      const { runTextMetrics } = await import('../textScoring.js');
      await runTextMetrics(opts.pairs, { stem: opts.stem, levenshtein: opts.levenshtein, chrf: opts.chrf, workers: Math.min(opts.workers, cores) }, process.stdout);
    });

  const ClassLabel = z.union([z.string(), z.number(), z.boolean()]);
  const ClassifyLine = z.object({ y_true: ClassLabel, y_pred: ClassLabel });

  program
    .command('classify-metrics')
    .description('accuracy, precision/recall/F1 (binary, macro, micro, weighted) and the confusion matrix, as scikit-learn computes them')
    .requiredOption('--pairs <file>', 'JSONL: {"y_true": label, "y_pred": label} per line')
    .option('--positive <label>', 'positive label of the binary average (default 1, as scikit-learn)')
    .option('--json', 'print JSON (the only output format)', true)
    .action(async (opts: { pairs: string; positive?: string }) => {
      const yTrue: Label[] = [];
      const yPred: Label[] = [];
      for await (const { value } of readJsonl(opts.pairs, ClassifyLine)) {
        yTrue.push(value.y_true);
        yPred.push(value.y_pred);
      }
      if (yTrue.length === 0) throw new CliError(`${opts.pairs}: no pairs`);
      // A label given on the command line is text: read it as a number where the labels are numbers (booleans fold to 1 / 0).
      const numeric = yTrue.some((l) => typeof l !== 'string');
      const positive = opts.positive === undefined ? undefined : numeric && opts.positive.trim() !== '' && !Number.isNaN(Number(opts.positive)) ? Number(opts.positive) : opts.positive;
      const { classificationReport } = await import('../../metrics/classification.js');
      let report;
      try {
        report = classificationReport(yTrue, yPred, positive === undefined ? {} : { positiveLabel: positive });
      } catch (err) {
        throw new CliError(`${opts.pairs}: ${(err as Error).message}`);
      }
      // A positive label the user named must exist and give a binary average: an `error` field would pass unnoticed in scripts.
      if (positive !== undefined) {
        if (!report.labels.includes(positive)) throw new CliError(`--positive ${opts.positive}: not a label of ${opts.pairs} (labels: ${report.labels.join(', ')})`);
        if ('error' in report.binary) throw new CliError(`--positive ${opts.positive}: ${opts.pairs}: ${report.binary.error}`);
      }
      const { perLabel, confusionMatrix, ...figures } = report;
      process.stdout.write(
        JSON.stringify({ n: yTrue.length, ...figures, per_label: perLabel, confusion_matrix: { labels: report.labels, matrix: confusionMatrix } }) + '\n',
      );
    });
}
