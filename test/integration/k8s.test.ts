// `logbench k8s`: the manifests validate against the Kubernetes schema (kubernetes-models ships the
// OpenAPI schemas of batch/v1), and their commands work: each shard pod's args and environment, as the
// kubelet would expand them, run the real CLI; the merge Job's two steps then give the single-process result.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Job } from 'kubernetes-models/batch/v1';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../support/cli.js';
import { loopbackScope } from '../support/loopback-scope.js';
import { queryDb, writeOpenAISuite } from '../support/run-fixtures.js';

const { server, dirs } = loopbackScope();

interface Container {
  command: string[];
  args: string[];
  workingDir: string;
  env?: { name: string; value?: string; valueFrom?: { fieldRef: { fieldPath: string } } }[];
  resources?: unknown;
}

/** What the kubelet does with `$(VAR)` in args, and the completion index the Job controller annotates each pod with. */
function podCommand(container: Container, index?: number): { args: string[]; env: Record<string, string> } {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    if (variable.valueFrom) {
      expect(variable.valueFrom.fieldRef.fieldPath).toBe("metadata.annotations['batch.kubernetes.io/job-completion-index']");
      env[variable.name] = String(index);
    } else env[variable.name] = variable.value!;
  }
  expect(container.command).toEqual(['logbench']);
  return { args: container.args.map((arg) => arg.replace(/\$\((\w+)\)/g, (_m, name: string) => env[name]!)), env };
}

describe('logbench k8s', () => {
  it('writes an Indexed Job and a merge Job that validate against the Kubernetes schema', async () => {
    const { dir } = writeOpenAISuite({ url: 'http://127.0.0.1:9/v1', cases: 4 });
    dirs.push(dir);
    const result = await runCli(['k8s', 'suite.yaml', '--shards', '3', '--image', 'ghcr.io/example/logbench:0.1', '--pvc', 'logbench-data', '--cpu', '500m', '--memory', '2Gi', '--gpus', '1', '--parallelism', '2', '--env-secret', 'api-keys', '--name', 'Eval Run', '--out', path.join(dir, 'k8s')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('kubectl wait --for=condition=complete --timeout=24h job/eval-run-shards');

    const shards = parse(readFileSync(path.join(dir, 'k8s', 'Eval Run-shards.yaml'), 'utf8'));
    const merge = parse(readFileSync(path.join(dir, 'k8s', 'Eval Run-merge.yaml'), 'utf8'));
    for (const manifest of [shards, merge]) expect(() => new Job(manifest).validate()).not.toThrow();
    expect(shards.spec).toMatchObject({ completionMode: 'Indexed', completions: 3, parallelism: 2 });
    expect(shards.metadata.name).toBe('eval-run-shards');
    const [container] = shards.spec.template.spec.containers as Container[];
    expect(container!.resources).toEqual({ requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '500m', memory: '2Gi', 'nvidia.com/gpu': 1 } });
    expect(container!.env).toContainEqual({ name: 'LOGBENCH_SHARD_COUNT', value: '3' });
    expect(shards.spec.template.spec.volumes).toEqual([{ name: 'work', persistentVolumeClaim: { claimName: 'logbench-data' } }]);
    expect(merge.spec.template.spec.containers[0].resources).toBeUndefined(); // the merge needs no GPU

    // The validator is not a formality: a wrong type or a bad quantity is refused.
    expect(() => new Job({ ...shards, spec: { ...shards.spec, completions: '3' } }).validate()).toThrow(/completions must be integer/);
    const badQuantity = structuredClone(shards);
    badQuantity.spec.template.spec.containers[0].resources.limits.cpu = 'two';
    expect(() => new Job(badQuantity).validate()).toThrow(/quantity/);
  });

  it("the pods' commands, run as the kubelet would, merge into the single-process result", async () => {
    const loopback = await server();
    const { dir, suite, db: whole } = writeOpenAISuite({ url: loopback.url, cases: 30, models: ['tuned'], batchSize: 4 });
    dirs.push(dir);
    expect((await runCli(['run', suite, '--db', whole, '--no-report'])).code).toBe(0);
    const written = await runCli(['k8s', 'suite.yaml', '--shards', '3', '--image', 'logbench:test', '--pvc', 'data', '--mount-path', dir, '--db', 'out/merged.duckdb', '--out', dir]);
    expect(written.code, written.stderr).toBe(0);
    const shards = parse(readFileSync(path.join(dir, 'logbench-shards.yaml'), 'utf8'));
    const merge = parse(readFileSync(path.join(dir, 'logbench-merge.yaml'), 'utf8'));

    for (let index = 0; index < shards.spec.completions; index++) {
      const container = shards.spec.template.spec.containers[0] as Container;
      const { args, env } = podCommand(container, index);
      expect(args).toContain(path.join(dir, 'out', `merged.shard-${index}-of-3.duckdb`));
      const pod = await runCli(args, { cwd: container.workingDir, env });
      expect(pod.code, pod.stderr).toBe(0);
      expect(pod.stderr).toContain(`shard ${index}/3 (from the Kubernetes Indexed Job)`);
    }
    // One step: the merge writes the merged runs' reports itself (no `run`, which would query failed samples again).
    expect(merge.spec.template.spec.initContainers).toBeUndefined();
    for (const container of merge.spec.template.spec.containers as Container[]) {
      expect(container.args).toContain('--report');
      expect(container.args).not.toContain('run');
      const step = await runCli(podCommand(container).args, { cwd: container.workingDir });
      expect(step.code, step.stderr).toBe(0);
    }
    const merged = path.join(dir, 'out', 'merged.duckdb');
    const rows = (db: string) => queryDb(db, 'SELECT p.sample_id, p.output, m.name, m.value FROM predictions p JOIN sample_metrics m USING (run_id, sample_id) ORDER BY 1, 3');
    expect(await rows(merged)).toEqual(await rows(whole));
    expect(await queryDb(merged, 'SELECT name, value, ci_low, ci_high FROM metrics ORDER BY name')).toEqual(await queryDb(whole, 'SELECT name, value, ci_low, ci_high FROM metrics ORDER BY name'));
    expect(readFileSync(path.join(dir, 'out', 'merged-loopback-tuned.html'), 'utf8')).toContain('<html');
  });
});
