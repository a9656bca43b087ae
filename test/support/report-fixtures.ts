/**
 * Synthetic runs written through RunStore, for the report tests and `bench/report.ts`: text,
 * classification and JSON-analysis tasks, deterministic per seed, with or without GPU figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '../../datasets/seeded.js';
import type { Sample } from '../../core/sample.js';
import { scoringItem } from '../../harness/run/items.js';
import { type BatchRecord, type MetricRecord, type PredictionRecord, RunStore } from '../../harness/store/index.js';
import { type SampleScores, type ScoringItem, type SuiteMetric, scoreCorpus, scoreSample } from '../../metrics/taskScoring.js';

export type FixtureTask = 'text' | 'classification' | 'json-analysis';

/** A model output that runs script if a report ever inserts it as HTML. */
export const HOSTILE_OUTPUT =
  '</script><script>window.__pwned = "script"</script><img src=x onerror="window.__pwned = \'img\'"> \u2028 & <b>bold</b>';

/** The sample whose input, and whose fine-tuned output in every pair, is `HOSTILE_OUTPUT`. */
export const HOSTILE_SAMPLE_ID = 's000003';

const LOG_LINES = [
  'sshd[2211]: Failed password for root from 10.0.0.7 port 52113 ssh2',
  'kernel: EXT4-fs error (device sda1): ext4_find_entry:1455: reading directory lblock 0',
  'dfs.DataNode: PacketResponder 2 for block blk_-161 terminating',
  'systemd[1]: Started Session 42 of user admin.',
  'CRON[881]: (root) CMD (run-parts /etc/cron.hourly)',
  'mod_jk child workerEnv in error state 6',
];

function logChunk(index: number, random: () => number): string {
  const lines = 3 + Math.floor(random() * 4);
  return Array.from({ length: lines }, (_, line) => `${line + 1} ${LOG_LINES[(index + line) % LOG_LINES.length] ?? ''}`).join('\n');
}

function analysisOf(random: () => number): { risk_score: number; should_alert_user: boolean; messages: { critical: number[]; warning: number[] }; summary: string[] } {
  const risk = Math.floor(random() * 101);
  return {
    risk_score: risk,
    should_alert_user: risk >= 50,
    messages: { critical: risk >= 50 ? [1] : [], warning: risk >= 30 ? [2] : [] },
    summary: [risk >= 50 ? 'Repeated failures need attention.' : 'Routine activity.'],
  };
}

/** `count` samples of `task`; the same seed always gives the same split. */
export function fixtureSamples(task: FixtureTask, count: number, seed = 7): Sample[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const id = `s${String(i).padStart(6, '0')}`;
    // The hostile sample's input is also hostile, and too long to show whole.
    const input = id === HOSTILE_SAMPLE_ID ? `${HOSTILE_OUTPUT}\n${logChunk(i, random).repeat(40)}` : logChunk(i, random);
    if (task === 'classification') return { id, input, label: random() < 0.25 ? 'anomalous' : 'normal', meta: {} };
    if (task === 'json-analysis') return { id, input, reference: JSON.stringify(analysisOf(random)), meta: {} };
    return { id, input, reference: `Cause - ${LOG_LINES[i % LOG_LINES.length] ?? ''}\nRemediation - Check the service.`, meta: {} };
  });
}

export interface FixtureRunOptions {
  runId: string;
  modelId: string;
  task: FixtureTask;
  suiteName: string;
  splitHash: string;
  samples: readonly Sample[];
  batchSize: number;
  /** Write GPU utilisation, memory and GPU time for every batch. */
  gpu: boolean;
  /** With `gpu`: which telemetry measured it; 'dcgm' also writes energy and mean power (as an exporter's counters give them). */
  gpuSource?: 'nvidia-smi' | 'dcgm';
  /** With `gpu`: batches whose telemetry scrape failed (GPU columns null, the reason stored). */
  failedScrapes?: readonly number[];
  /** The endpoint a remote model was called at; absent for a model run inside logbench. */
  endpoint?: string;
  /** Rough share of samples the model gets right, 0..1. */
  skill: number;
  seed: number;
  startedAt: Date;
  /** Samples whose output is `HOSTILE_OUTPUT` (scored like any other answer). */
  hostileSampleIds?: readonly string[];
}

/** The suite metrics each fixture task is scored with, as a suite would list them. */
const FIXTURE_METRICS: Record<FixtureTask, SuiteMetric[]> = {
  text: ['rouge', 'fuzzy'],
  classification: ['classification'],
  'json-analysis': ['json-analysis'],
};

/** What the fixture model answers: right with probability `skill`, otherwise wrong in a task-typical way. */
function answerOf(options: FixtureRunOptions, sample: Sample, random: () => number): string {
  if (options.hostileSampleIds?.includes(sample.id) === true) return HOSTILE_OUTPUT;
  const right = random() < options.skill;
  if (options.task === 'classification') {
    if (random() < 0.03) return 'The sequence is hard to judge.';
    const wrong = sample.label === 'anomalous' ? 'normal' : 'anomalous';
    return `The sequence is ${right ? sample.label : wrong}.`;
  }
  if (options.task === 'json-analysis') {
    if (random() < 0.05) return 'I could not analyse this log.';
    const reference = JSON.parse(sample.reference ?? '{}') as ReturnType<typeof analysisOf>;
    const risk = Math.max(0, Math.min(100, reference.risk_score + Math.round((random() - 0.5) * (right ? 10 : 80))));
    return JSON.stringify({ ...reference, risk_score: risk, should_alert_user: right ? reference.should_alert_user : !reference.should_alert_user });
  }
  if (right) return sample.reference ?? '';
  return random() < 0.5 ? (sample.reference ?? '').split('\n')[0] ?? '' : 'Cause - unknown failure.\nRemediation - Restart the service.';
}

interface ScoredPrediction {
  prediction: PredictionRecord;
  item: ScoringItem;
  scored: SampleScores;
}

/** One prediction scored by the harness's own scorer, stored as `logbench run` stores it. */
function predictionOf(options: FixtureRunOptions, sample: Sample, random: () => number): ScoredPrediction {
  const text = answerOf(options, sample, random);
  const latencyMs = 20 + random() * 80;
  const tokens = { tokensIn: 40 + Math.floor(random() * 40), tokensOut: 10 + Math.floor(random() * 60) };
  const item = scoringItem(sample, { text });
  const scored = scoreSample(options.task, FIXTURE_METRICS[options.task], item);
  return {
    prediction: {
      sampleId: sample.id,
      text,
      latencyMs,
      ...tokens,
      ...(scored.label != null && { label: scored.label }),
      ...(scored.parsed !== undefined && { score: scored.parsed }),
    },
    item,
    scored,
  };
}

function batchOf(options: FixtureRunOptions, batchIndex: number, predictions: readonly PredictionRecord[], random: () => number): BatchRecord {
  const latencies = predictions.map((p) => p.latencyMs).sort((a, b) => a - b);
  const at = (share: number) => latencies[Math.min(latencies.length - 1, Math.floor(share * latencies.length))] ?? 0;
  const wallMs = 200 + random() * 100;
  const gpuUtilAvg = 40 + random() * 50;
  const scrapeFailed = options.failedScrapes?.includes(batchIndex) === true;
  // An H100 idles near 70 W and draws up to ~700 W: power follows utilisation, energy is power × window.
  const powerAvgW = 70 + gpuUtilAvg * 5;
  return {
    batchIndex,
    size: predictions.length,
    startedAt: new Date(options.startedAt.getTime() + batchIndex * 1000),
    wallMs,
    cpuMs: wallMs * (0.2 + random() * 0.3),
    rssPeakBytes: Math.round((300 + batchIndex * 0.5 + random() * 20) * 1024 * 1024),
    tokensIn: predictions.reduce((total, p) => total + (p.tokensIn ?? 0), 0),
    tokensOut: predictions.reduce((total, p) => total + (p.tokensOut ?? 0), 0),
    latencyP50Ms: at(0.5),
    latencyP95Ms: at(0.95),
    latencyMaxMs: at(1),
    ...(options.gpu && !scrapeFailed
      ? {
          gpuUtilAvg,
          gpuUtilMax: Math.min(100, gpuUtilAvg + 10),
          gpuMemPeakMb: 6000 + random() * 500,
          gpuMemDeltaMb: random() * 200,
          gpuTimeMs: (wallMs * gpuUtilAvg) / 100,
          ...(options.gpuSource === undefined ? {} : { gpuSource: options.gpuSource }),
          ...(options.gpuSource === 'dcgm' ? { powerAvgW, energyJ: (powerAvgW * wallMs) / 1000 } : {}),
        }
      : {}),
    ...(scrapeFailed ? { telemetryNote: 'scrape failed: connect ECONNREFUSED 127.0.0.1:9400' } : {}),
  };
}

/**
 * The scorer's corpus figures; those that are the mean of a per-sample score get a normal-approximation
 * 95 % interval, the others none, so reports meet both.
 */
function corpusMetrics(task: FixtureTask, written: readonly ScoredPrediction[]): MetricRecord[] {
  const figures = scoreCorpus(task, FIXTURE_METRICS[task], written.map((w) => w.item), written.map((w) => w.scored));
  return figures.map((figure) => {
    const values = written.map((w) => w.scored.values[figure.name]).filter((value): value is number => typeof value === 'number');
    if (figure.value === null || values.length < 2) return { name: figure.name, value: figure.value, n: figure.n };
    const mean = values.reduce((total, value) => total + value, 0) / values.length;
    const halfWidth = 1.96 * Math.sqrt(values.reduce((total, value) => total + (value - mean) ** 2, 0) / (values.length - 1) / values.length);
    return { name: figure.name, value: figure.value, ciLow: figure.value - halfWidth, ciHigh: figure.value + halfWidth, n: figure.n };
  });
}

/** Writes one completed run, one RunStore transaction per batch; the split's samples must already be stored. */
export async function writeFixtureRun(store: RunStore, options: FixtureRunOptions): Promise<string> {
  const runId = await store.createRun({
    id: options.runId,
    runKey: options.runId,
    suiteName: options.suiteName,
    modelId: options.modelId,
    provider: 'replay',
    task: options.task,
    startedAt: options.startedAt,
    harnessVersion: '0.1.0',
    nodeVersion: process.version,
    host: 'fixture-host',
    ...(options.gpu ? { gpuName: 'NVIDIA H100 80GB HBM3' } : {}),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    configHash: `config-${options.suiteName}`,
    splitHash: options.splitHash,
    promptHash: `prompt-${options.task}`,
    decoding: { temperature: 0, max_tokens: 512 },
    suite: { name: options.suiteName, task: options.task },
  });
  const random = seededRandom(options.seed);
  const written: ScoredPrediction[] = [];
  for (let start = 0, batchIndex = 0; start < options.samples.length; start += options.batchSize, batchIndex++) {
    const batch = options.samples.slice(start, start + options.batchSize).map((sample) => predictionOf(options, sample, random));
    const predictions = batch.map((item) => item.prediction);
    const scores = batch.flatMap(({ prediction, scored }) => Object.entries(scored.values).map(([name, value]) => ({ sampleId: prediction.sampleId, name, value })));
    await store.writeBatch(runId, batchOf(options, batchIndex, predictions, random), predictions, scores);
    for (const item of batch) written.push(item);
  }
  await store.writeMetrics(runId, corpusMetrics(options.task, written));
  await store.finishRun(runId, 'completed');
  return runId;
}

/** Run ids of the standard report test store: a base/fine-tuned pair per task; only the fine-tunes had a GPU. */
export interface ReportFixtureRuns {
  text: { base: string; finetuned: string };
  classification: { base: string; finetuned: string };
  jsonAnalysis: { base: string; finetuned: string };
}


/** A base run (no GPU) and a stronger fine-tuned run (GPU figures, one hostile output) on one split. */
async function writeFixturePair(store: RunStore, task: FixtureTask, suiteName: string, samples: number, seed: number): Promise<{ base: string; finetuned: string }> {
  const split = fixtureSamples(task, samples, seed);
  const splitHash = `split-${task}`;
  await store.upsertSamples(splitHash, split);
  const common = { task, suiteName, splitHash, samples: split, batchSize: 8 };
  const day = new Date(Date.UTC(2025, 5, seed)).getTime();
  return {
    base: await writeFixtureRun(store, { ...common, runId: `${task}-base`, modelId: 'qwen3-0.6b', gpu: false, skill: 0.45, seed: 100 + seed, startedAt: new Date(day) }),
    finetuned: await writeFixtureRun(store, {
      ...common,
      runId: `${task}-finetuned`,
      modelId: 'qwen3-0.6b-logs',
      gpu: true,
      skill: 0.8,
      seed: 200 + seed,
      startedAt: new Date(day + 3_600_000),
      hostileSampleIds: [HOSTILE_SAMPLE_ID],
    }),
  };
}

/** Writes the standard report test store: a base/fine-tuned pair per task, `samples` samples each. */
export async function writeReportFixtureStore(store: RunStore, samples = 48): Promise<ReportFixtureRuns> {
  return {
    text: await writeFixturePair(store, 'text', 'alsate-cause-remediation', samples, 1),
    classification: await writeFixturePair(store, 'classification', 'logllm-bgl', samples, 2),
    jsonAnalysis: await writeFixturePair(store, 'json-analysis', 'qwen3-log-analysis', samples, 3),
  };
}

/**
 * A base model and its fine-tune served by vLLM on a GPU node, measured by the node's DCGM exporter
 * (`gpu_metrics_url`): GPU time, memory, energy and power for every batch but `failedScrapes`.
 */
export async function writeGpuTelemetryPair(store: RunStore, options: { samples?: number; failedScrapes?: readonly number[] } = {}): Promise<{ base: string; finetuned: string }> {
  const split = fixtureSamples('json-analysis', options.samples ?? 96, 4);
  const splitHash = 'split-gpu-telemetry';
  await store.upsertSamples(splitHash, split);
  const common = { task: 'json-analysis', suiteName: 'qwen3-log-analysis', splitHash, samples: split, batchSize: 8, gpu: true, gpuSource: 'dcgm' } as const;
  const day = new Date(Date.UTC(2025, 6, 1, 9)).getTime();
  return {
    base: await writeFixtureRun(store, { ...common, runId: 'dcgm-base', modelId: 'qwen3-4b', skill: 0.5, seed: 301, startedAt: new Date(day), endpoint: 'http://gpu-node-1:8000/v1' }),
    finetuned: await writeFixtureRun(store, {
      ...common,
      runId: 'dcgm-finetuned',
      modelId: 'qwen3-4b-log-ft',
      skill: 0.85,
      seed: 302,
      startedAt: new Date(day + 1_800_000),
      endpoint: 'http://gpu-node-1:8001/v1',
      ...(options.failedScrapes === undefined ? {} : { failedScrapes: options.failedScrapes }),
    }),
  };
}

export interface FixtureStore<Runs> {
  /** Open read-only, as reports require. */
  store: RunStore;
  path: string;
  dir: string;
  runs: Runs;
  /** Closes the store and deletes its folder. */
  dispose(): Promise<void>;
}

export type ReportFixtureStore = FixtureStore<ReportFixtureRuns>;

/** The standard report test store in a fresh temporary folder, written, then reopened read-only. */
export function openReportFixtureStore(): Promise<ReportFixtureStore> {
  return openFixtureStore(writeReportFixtureStore);
}

/** A store written by `write` in a fresh temporary folder, then reopened read-only. */
export async function openFixtureStore<Runs>(write: (store: RunStore) => Promise<Runs>): Promise<FixtureStore<Runs>> {
  const dir = mkdtempSync(join(tmpdir(), 'logbench-report-'));
  const path = join(dir, 'runs.duckdb');
  const writer = await RunStore.open(path);
  let runs: Runs;
  try {
    runs = await write(writer);
  } finally {
    await writer.close();
  }
  const store = await RunStore.open(path, { readOnly: true });
  return {
    store,
    path,
    dir,
    runs,
    async dispose() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
