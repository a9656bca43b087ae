import cliProgress from 'cli-progress';
import { printable } from '../core/format.js';
import type { RunProgress } from '../harness/run/runSuite.js';

/**
 * Progress on stderr: one live bar per model on a terminal (done/total, rate, ETA, errors), and
 * one line per model start and finish otherwise, so CI logs stay readable.
 */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): RunProgress {
  if (!stream.isTTY) {
    const started = new Map<string, { at: number; total: number; done: number; errors: number }>();
    return {
      modelStarted(modelId, total, alreadyDone) {
        started.set(modelId, { at: performance.now(), total, done: alreadyDone, errors: 0 });
        stream.write(`${modelId}: ${total} samples${alreadyDone ? ` (${alreadyDone} already stored, resuming)` : ''}\n`);
      },
      batchDone(modelId, done, errors) {
        const s = started.get(modelId);
        if (s) Object.assign(s, { done, errors });
      },
      modelFinished(modelId) {
        const s = started.get(modelId);
        if (!s) return;
        const seconds = (performance.now() - s.at) / 1000;
        stream.write(`${modelId}: done ${s.done}/${s.total} in ${seconds.toFixed(1)} s, ${s.errors} error(s)\n`);
      },
      note(message) {
        stream.write(`${printable(message)}\n`);
      },
    };
  }
  const bars = new cliProgress.MultiBar(
    { format: '{model} [{bar}] {value}/{total} | {rate}/s | ETA {eta_formatted} | errors {errors}', hideCursor: true, clearOnComplete: false, stream, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  const state = new Map<string, { bar: cliProgress.SingleBar; at: number; first: number }>();
  return {
    modelStarted(modelId, total, alreadyDone) {
      state.set(modelId, { bar: bars.create(total, alreadyDone, { model: modelId.padEnd(16), rate: '0', errors: 0 }), at: performance.now(), first: alreadyDone });
    },
    batchDone(modelId, done, errors) {
      const s = state.get(modelId);
      if (!s) return;
      const rate = (done - s.first) / Math.max(1e-3, (performance.now() - s.at) / 1000);
      s.bar.update(done, { rate: rate.toFixed(1), errors });
    },
    modelFinished(modelId) {
      state.get(modelId)?.bar.stop();
      if ([...state.values()].every((s) => !s.bar.isActive)) bars.stop();
    },
    note(message) {
      bars.log(`${printable(message)}\n`);
    },
  };
}
