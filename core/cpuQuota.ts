/**
 * The cores this process may use: its CPU affinity (`os.availableParallelism`, what SLURM's cpuset
 * sets) and, below it, a CFS bandwidth quota (what a Kubernetes CPU limit sets, which affinity does
 * not show: a pod limited to 2 CPUs on a 64-core node sees 64 cores, and 64 scoring threads there
 * would share 2 cores' time, each with its own heap).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Cores a cgroup v2 `cpu.max` allows ("max 100000": no limit; "150000 100000": 1.5, so 2). */
export function coresOfCpuMax(text: string): number | undefined {
  const [quota, period] = text.trim().split(/\s+/);
  return coresOfQuota(quota, period);
}

/** Cores a cgroup v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us` pair allows (quota -1: no limit). */
export function coresOfQuota(quota: string | undefined, period: string | undefined): number | undefined {
  const q = Number(quota);
  const p = Number(period);
  if (!Number.isFinite(q) || !Number.isFinite(p) || q <= 0 || p <= 0) return undefined;
  return Math.max(1, Math.ceil(q / p));
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The folder and its parents up to `root`: a quota on any of them binds the process. */
function upTo(root: string, relative: string): string[] {
  const folders: string[] = [];
  for (let at = path.posix.normalize(`/${relative}`); ; at = path.posix.dirname(at)) {
    folders.push(path.join(root, at));
    if (at === '/') return folders;
  }
}

/**
 * The tightest CFS quota on this process's cgroups, in whole cores, or undefined when none is set
 * (or the files cannot be read). `root` is where the kernel's files are (a test's fake tree).
 */
export function cgroupCpuLimit(root = '/'): number | undefined {
  const membership = read(path.join(root, 'proc/self/cgroup'));
  if (membership === undefined) return undefined;
  const limits: number[] = [];
  for (const line of membership.split('\n')) {
    const [, controllers, relative] = /^\d+:([^:]*):(.*)$/.exec(line.trim()) ?? [];
    if (controllers === undefined || relative === undefined) continue;
    if (controllers === '') {
      // cgroup v2: one tree, `cpu.max` in each folder.
      for (const folder of upTo(path.join(root, 'sys/fs/cgroup'), relative)) {
        const cores = coresOfCpuMax(read(path.join(folder, 'cpu.max')) ?? '');
        if (cores !== undefined) limits.push(cores);
      }
    } else if (controllers.split(',').includes('cpu')) {
      // cgroup v1: the cpu controller's own tree, mounted as `cpu` or `cpu,cpuacct`.
      for (const mount of ['cpu', controllers, 'cpu,cpuacct']) {
        for (const folder of upTo(path.join(root, 'sys/fs/cgroup', mount), relative)) {
          const cores = coresOfQuota(read(path.join(folder, 'cpu.cfs_quota_us')), read(path.join(folder, 'cpu.cfs_period_us')));
          if (cores !== undefined) limits.push(cores);
        }
      }
    }
  }
  return limits.length > 0 ? Math.min(...limits) : undefined;
}

/** The cores this process may use: its affinity, capped by a CFS quota when one is set. */
export function coresGiven(): number {
  const affinity = os.availableParallelism();
  return Math.min(affinity, cgroupCpuLimit() ?? affinity);
}
