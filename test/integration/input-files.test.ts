import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aliasBombYaml } from '../support/alias-bomb.js';
import { runCli } from '../support/cli.js';
import { queryDb } from '../support/run-fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-input-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

function fifo(name: string): string {
  const file = path.join(dir, name);
  execFileSync('mkfifo', [file]);
  return file;
}

const samples = [
  { id: 's1', text: 'kernel: machine check', y: 1 },
  { id: 's2', text: 'sshd: session opened', y: 0 },
  { id: 's3', text: 'RAS KERNEL FATAL', y: 1 },
];
write('samples.jsonl', samples.map((s) => JSON.stringify(s)).join('\n') + '\n');
write('preds.jsonl', samples.map((s) => JSON.stringify({ id: s.id, label: s.y === 1 ? 'anomalous' : 'normal' })).join('\n') + '\n');
write('prompt.txt', 'Normal or anomalous?\n{{input}}');

/** A classification suite over `samples.jsonl` (or `dataset`), answered by a replay of the right labels. */
function suite(name: string, options: { dataset?: string; extra?: string; prompt?: string } = {}): string {
  return write(
    name,
    `name: ${name.replace(/\W/g, '-')}\ntask: classification\ndataset:\n  source: jsonl\n  path: ${options.dataset ?? 'samples.jsonl'}\n  input_field: text\n  label_field: y\n  id_field: id\n${options.extra ?? ''}` +
      `prompt:\n  user: ${options.prompt ?? 'prompt.txt'}\nmodels:\n  - id: replayed\n    provider: replay\n    path: preds.jsonl\n`,
  );
}

const run = (suiteFile: string, db: string) => runCli(['run', suiteFile, '--db', db, '--no-report']);

describe('input files (built CLI)', () => {
  it('refuses a FIFO and /dev/zero as dataset, suite, pairs and run export at once, naming the file, with nothing written', async () => {
    const pipe = fifo('data.fifo');
    const db = path.join(dir, 'never.duckdb');
    for (const [args, file, kind] of [
      [['run', suite('fifo-data.yaml', { dataset: pipe }), '--db', db, '--no-report'], pipe, 'a FIFO'],
      [['run', suite('zero-data.yaml', { dataset: '/dev/zero' }), '--db', db, '--no-report'], '/dev/zero', 'a character device'],
      [['run', pipe, '--db', db, '--no-report'], pipe, 'a FIFO'],
      [['metrics', '--pairs', pipe], pipe, 'a FIFO'],
      [['classify-metrics', '--pairs', '/dev/zero'], '/dev/zero', 'a character device'],
      [['import-run', pipe, '--db', db], pipe, 'a FIFO'],
      [['run', suite('dir-prompt.yaml', { prompt: dir }), '--db', db, '--no-report'], dir, 'a directory'],
    ] as const) {
      const result = await runCli([...args]);
      expect(result.code, args.join(' ')).toBe(3);
      expect(result.stderr, args.join(' ')).toContain(`${file}: not a regular file (${kind})`);
    }
    expect(existsSync(db)).toBe(false);
  });

  it('scores JSONL labels written 0/1 as the classes they stand for, and refuses one it cannot read naming file, line and field', async () => {
    const db = path.join(dir, 'labels.duckdb');
    const result = await run(suite('labels.yaml'), db);
    expect(result.code, result.stderr).toBe(0);
    expect(await queryDb(db, "SELECT value FROM metrics WHERE name = 'accuracy'")).toEqual([{ value: 1 }]);

    const data = write('bad-label.jsonl', `${JSON.stringify(samples[0])}\n${JSON.stringify({ id: 's9', text: 'x', y: 'maybe' })}\n`);
    const bad = await run(suite('bad-label.yaml', { dataset: 'bad-label.jsonl' }), path.join(dir, 'bad-label.duckdb'));
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain(`${data}:2: field "y": expected a label normal/anomalous, 0/1, false/true or no/yes (any case), got "maybe"`);
  });

  it('refuses an offset or limit past the end of the split at its file:line:col, naming the split size', async () => {
    const result = await run(suite('offset.yaml', { extra: '  offset: 3\n' }), path.join(dir, 'offset.duckdb'));
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${path.join(dir, 'offset.yaml')}:9:11: dataset.offset: 3 is past the end of the split (jsonl samples.jsonl: 3 samples)`);
    const limit = await run(suite('limit.yaml', { extra: '  offset: 1\n  limit: 5\n' }), path.join(dir, 'limit.duckdb'));
    expect(limit.code).toBe(3);
    expect(limit.stderr).toContain(`${path.join(dir, 'limit.yaml')}:10:10: dataset.limit: 5 samples asked for after dataset.offset 1, but the split (jsonl samples.jsonl) has 2 left of 3`);
  });

  it('refuses at suite load a prompt without {{input}} and one naming a placeholder the samples do not fill, with file:line:col', async () => {
    write('no-input.txt', 'Is this normal?');
    const file = suite('no-input.yaml', { prompt: 'no-input.txt' });
    const result = await run(file, path.join(dir, 'no-input.duckdb'));
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${file}:10:9: prompt.user: ${path.join(dir, 'no-input.txt')}: no {{input}} placeholder`);

    write('unknown.txt', '{{input}} from {{host}}');
    const unknown = await run(suite('unknown.yaml', { prompt: 'unknown.txt' }), path.join(dir, 'unknown.duckdb'));
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain(`${path.join(dir, 'unknown.txt')}: {{host}} not filled by a jsonl dataset`);
  });

  it('names the suite file and line of an alias bomb', async () => {
    const bomb = write('bomb.yaml', aliasBombYaml('name: bomb'));
    const result = await run(bomb, path.join(dir, 'bomb.duckdb'));
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${bomb}:3:8: YAML: Excessive alias count`);
  });

  it('metrics --pairs: one encoding rule (a BOM is dropped, invalid UTF-8 refused with its line) and a line with both reference and references refused', async () => {
    const pair = JSON.stringify({ prediction: 'disk full', reference: 'disk full' });
    const bom = await runCli(['metrics', '--pairs', write('bom.jsonl', `\uFEFF${pair}\n`)]);
    expect(bom.stderr).toBe('');
    expect(bom.code).toBe(0);
    expect((JSON.parse(bom.stdout) as { corpus: { n: number } }).corpus.n).toBe(1);

    const invalid = write('invalid.jsonl', Buffer.concat([Buffer.from(`${pair}\n`), Buffer.from('{"prediction": "a\xff", "reference": "a"}\n', 'latin1')]));
    const bad = await runCli(['metrics', '--pairs', invalid]);
    expect(bad.code).toBe(3);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim()).toBe(`logbench metrics: ${invalid}:2: not valid UTF-8`);

    const both = write('both.jsonl', `${pair}\n${JSON.stringify({ prediction: 'a', reference: 'a', references: ['b'] })}\n`);
    const twice = await runCli(['metrics', '--pairs', both]);
    expect(twice.code).toBe(3);
    expect(twice.stderr.trim()).toBe(`logbench metrics: ${both}:2: fields "reference" and "references": give one of them, not both`);
  });
});
