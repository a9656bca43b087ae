import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Loghub v1 systems whose `<System>_2k.log` ships in `datasets/data/loghub/`. */
export const LOGHUB_SYSTEMS = ['Apache', 'BGL', 'HDFS', 'Linux', 'OpenSSH', 'Thunderbird'] as const;
export type LoghubSystem = (typeof LOGHUB_SYSTEMS)[number];

/** The package root: the first folder above this module holding a package.json. */
function packageRoot(): string {
  // Sources run from datasets/, compiled code from dist/datasets/: both sit below the root.
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}: cannot find the shipped datasets`);
    dir = parent;
  }
  return dir;
}

/** Absolute path of the shipped data folder (`datasets/data`). */
export function shippedDataDir(): string {
  return path.join(packageRoot(), 'datasets', 'data');
}

export function shippedLoghubLog(system: LoghubSystem): string {
  return path.join(shippedDataDir(), 'loghub', system, `${system}_2k.log`);
}

/** LogLLM's `log_format` per labelled system (guanwei49/LogLLM 8210ca0, prepareData/sliding_window.py). */
export const LOGLLM_LOG_FORMATS = {
  BGL: '<Label> <Id> <Date> <Code1> <Time> <Code2> <Component1> <Component2> <Level> <Content>',
  Thunderbird: '<Label> <Id> <Date> <Admin> <Month> <Day> <Time> <AdminAddr> <Content>',
} as const;
