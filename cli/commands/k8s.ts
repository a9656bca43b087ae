import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { CliError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/io/atomicWrite.js';
import { assertSafeOutputs } from '../../core/io/outputPath.js';
import { kubernetesRunManifests, type KubernetesRunOptions } from '../../harness/scale/kubernetes.js';
import { wholeNumberFlag } from '../flags.js';

/** A Kubernetes quantity (`2`, `500m`, `1.5`, `8Gi`, `512M`): checked here so a typo fails now, not at `kubectl apply`. */
function quantityFlag(flag: string): (value: string) => string {
  return (value) => {
    if (!/^\d+(\.\d+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$/.test(value)) throw new CliError(`${flag}: expected a Kubernetes quantity such as 2, 500m or 8Gi, got "${value}"`);
    return value;
  };
}

interface K8sOptions {
  shards: number;
  image: string;
  pvc: string;
  mountPath: string;
  db: string;
  name: string;
  parallelism?: number;
  cpu?: string;
  memory?: string;
  gpus?: number;
  command: string;
  envSecret?: string;
  out: string;
}

export function registerK8sCommand(program: Command): void {
  program
    .command('k8s')
    .description('write a Kubernetes Indexed Job (one shard per pod) and a merge Job for a suite; apply them with kubectl')
    .argument('<suite>', "the suite file's path inside the pods, relative to the volume (--mount-path)")
    .requiredOption('--shards <n>', 'number of shards (completions of the Indexed Job)', wholeNumberFlag('--shards', 1, 10_000))
    .requiredOption('--image <image>', 'container image with logbench installed')
    .requiredOption('--pvc <claim>', 'PersistentVolumeClaim (ReadWriteMany) holding the suite files and the databases')
    .option('--mount-path <dir>', 'where the claim is mounted; the pods work there', '/work')
    .option('--db <file>', 'the merged database on the claim, relative to --mount-path; shard databases go beside it', 'logbench.duckdb')
    .option('--name <prefix>', 'Job name prefix: PREFIX-shards, PREFIX-merge', 'logbench')
    .option('--parallelism <n>', 'shard pods at a time (default: all)', wholeNumberFlag('--parallelism', 1))
    .option('--cpu <quantity>', 'CPU per shard pod (requests = limits)', quantityFlag('--cpu'))
    .option('--memory <quantity>', 'memory per shard pod (requests = limits)', quantityFlag('--memory'))
    .option('--gpus <n>', 'nvidia.com/gpu per shard pod', wholeNumberFlag('--gpus', 1))
    .option('--command <exe>', 'the logbench executable in the image', 'logbench')
    .option('--env-secret <secret>', "a Secret whose keys become the pods' environment (API keys)")
    .option('--out <dir>', 'where the manifests are written', '.')
    .action((suite: string, opts: K8sOptions) => {
      const options: KubernetesRunOptions = {
        suite,
        shards: opts.shards,
        image: opts.image,
        pvc: opts.pvc,
        mountPath: opts.mountPath,
        db: opts.db,
        name: opts.name,
        command: opts.command,
        ...(opts.parallelism !== undefined && { parallelism: opts.parallelism }),
        ...(opts.cpu !== undefined && { cpu: opts.cpu }),
        ...(opts.memory !== undefined && { memory: opts.memory }),
        ...(opts.gpus !== undefined && { gpus: opts.gpus }),
        ...(opts.envSecret !== undefined && { envSecret: opts.envSecret }),
      };
      const { shardJob, mergeJob } = kubernetesRunManifests(options);
      const files = new Map([
        [path.join(opts.out, `${opts.name}-shards.yaml`), shardJob],
        [path.join(opts.out, `${opts.name}-merge.yaml`), mergeJob],
      ]);
      assertSafeOutputs([...files.keys()], {});
      mkdirSync(opts.out, { recursive: true });
      // No anchors: kubectl reads them, but a reader of the manifest should not have to.
      for (const [file, manifest] of files) writeFileAtomic(file, stringify(manifest, { lineWidth: 0, aliasDuplicateObjects: false }));
      const [shards, merge] = [...files.keys()];
      const shardName = (shardJob.metadata as { name: string }).name;
      process.stdout.write(
        `wrote ${shards}, ${merge}\n` +
          `kubectl apply -f ${shards}\nkubectl wait --for=condition=complete --timeout=24h job/${shardName}\nkubectl apply -f ${merge}\n`,
      );
    });
}
