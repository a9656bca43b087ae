import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cgroupCpuLimit, coresGiven, coresOfCpuMax, coresOfQuota } from './cpuQuota.js';

let root = '';
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = '';
});

/** A fake kernel tree: `files` relative to it. */
function tree(files: Record<string, string>): string {
  root = mkdtempSync(path.join(os.tmpdir(), 'logbench-cgroup-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

describe('CFS quotas', () => {
  it('reads cgroup v2 cpu.max and v1 quota/period as whole cores, rounding up; no limit is undefined', () => {
    expect(coresOfCpuMax('max 100000\n')).toBeUndefined();
    expect(coresOfCpuMax('200000 100000\n')).toBe(2);
    expect(coresOfCpuMax('150000 100000')).toBe(2);
    expect(coresOfCpuMax('50000 100000')).toBe(1);
    expect(coresOfCpuMax('')).toBeUndefined();
    expect(coresOfQuota('-1\n', '100000\n')).toBeUndefined();
    expect(coresOfQuota('300000', '100000')).toBe(3);
  });

  it('takes the tightest quota of the process cgroup and its parents (v2: a pod limited to 2 CPUs)', () => {
    const at = tree({
      'proc/self/cgroup': '0::/kubepods/pod1/container\n',
      'sys/fs/cgroup/cpu.max': 'max 100000\n',
      'sys/fs/cgroup/kubepods/cpu.max': '6400000 100000\n',
      'sys/fs/cgroup/kubepods/pod1/cpu.max': '200000 100000\n',
      'sys/fs/cgroup/kubepods/pod1/container/cpu.max': 'max 100000\n',
    });
    expect(cgroupCpuLimit(at)).toBe(2);
  });

  it('reads the v1 cpu controller mounted as cpu,cpuacct, and says undefined without any quota', () => {
    expect(cgroupCpuLimit(tree({ 'proc/self/cgroup': '4:cpu,cpuacct:/job\n3:memory:/job\n', 'sys/fs/cgroup/cpu,cpuacct/job/cpu.cfs_quota_us': '400000\n', 'sys/fs/cgroup/cpu,cpuacct/job/cpu.cfs_period_us': '100000\n' }))).toBe(4);
    rmSync(root, { recursive: true, force: true });
    expect(cgroupCpuLimit(tree({ 'proc/self/cgroup': '0::/\n', 'sys/fs/cgroup/cpu.max': 'max 100000\n' }))).toBeUndefined();
    rmSync(root, { recursive: true, force: true });
    expect(cgroupCpuLimit(tree({}))).toBeUndefined();
  });

  it('gives this process at least one core and never more than its affinity', () => {
    const cores = coresGiven();
    expect(cores).toBeGreaterThanOrEqual(1);
    expect(cores).toBeLessThanOrEqual(os.availableParallelism());
  });
});
