import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where logbench itself is installed: the folder holding its package.json. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'logbench') return dir;
    } catch {
      // not here: keep climbing
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the logbench package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export interface Provenance {
  harnessVersion: string;
  nodeVersion: string;
  host: string;
  gitSha?: string;
  gitDirty?: boolean;
}

function git(args: string[], cwd: string): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined; // not a checkout (an npm install), or no git: provenance stays partial
  }
}

let collected: Provenance | undefined;

/** What produced a run: harness version, Node, host, and the git commit of the harness checkout with its dirty flag (read once per process). */
export function collectProvenance(): Provenance {
  collected ??= readProvenance();
  return collected;
}

/** The version in logbench's own package.json (what `logbench --version` prints and every run records). */
export function harnessVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function readProvenance(): Provenance {
  const root = packageRoot();
  const sha = git(['rev-parse', 'HEAD'], root);
  const status = sha === undefined ? undefined : git(['status', '--porcelain', '--untracked-files=no'], root);
  return {
    harnessVersion: harnessVersion(),
    nodeVersion: process.version,
    host: os.hostname(),
    ...(sha !== undefined && { gitSha: sha }),
    ...(status !== undefined && { gitDirty: status !== '' }),
  };
}
