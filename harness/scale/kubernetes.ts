/**
 * The manifests of a Kubernetes run of a suite: an Indexed Job whose pods each run one shard
 * (`run --shard auto` reads JOB_COMPLETION_INDEX and LOGBENCH_SHARD_COUNT), and a merge Job to apply
 * once it has completed (it merges and writes the merged runs' reports). Shard databases, the merged database and its reports live on one shared
 * PersistentVolumeClaim, mounted in every pod.
 */
import path from 'node:path';
import { SHARD_COUNT_VARIABLE } from './shardEnvironment.js';
import { shardDatabasePath, shardDatabasePaths } from './shardFiles.js';

export interface KubernetesRunOptions {
  /** The suite file's path inside the container, relative to the volume (the pods' working folder) or absolute. */
  suite: string;
  shards: number;
  image: string;
  /** The PersistentVolumeClaim holding the suite's files and the databases. */
  pvc: string;
  /** Where the claim is mounted in the pods (default /work). */
  mountPath?: string;
  /** The merged database, relative to the mount (default logbench.duckdb). */
  db?: string;
  /** Jobs' name prefix (default logbench). */
  name?: string;
  /** Shard pods at a time (default: all). */
  parallelism?: number;
  /** Per shard pod: Kubernetes quantities (`2`, `500m`, `8Gi`) and a GPU count. */
  cpu?: string;
  memory?: string;
  gpus?: number;
  /** The logbench executable inside the image (default `logbench`, from `npm install -g logbench`). */
  command?: string;
  /** A Secret whose keys become environment variables (API keys named by the suite's api_key_env). */
  envSecret?: string;
}

type Manifest = Record<string, unknown>;

/** A DNS-1123 label (Job names): lower case, digits and '-', at most 63 characters with the suffix. */
function jobName(prefix: string, suffix: string): string {
  const cleaned = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'logbench';
  return `${cleaned.slice(0, 63 - suffix.length - 1).replace(/-+$/, '')}-${suffix}`;
}

function resources(options: KubernetesRunOptions): Manifest | undefined {
  const amounts: Record<string, string | number> = {
    ...(options.cpu !== undefined && { cpu: options.cpu }),
    ...(options.memory !== undefined && { memory: options.memory }),
  };
  const gpus = options.gpus ? { 'nvidia.com/gpu': options.gpus } : {};
  if (!Object.keys(amounts).length && !options.gpus) return undefined;
  // Requests equal limits: a shard gets what it asked for, and GPUs may only be limits.
  return { ...(Object.keys(amounts).length && { requests: amounts }), limits: { ...amounts, ...gpus } };
}

export interface KubernetesRunManifests {
  shardJob: Manifest;
  mergeJob: Manifest;
  /** The database paths inside the pods. */
  db: string;
  shardDatabases: string[];
}

export function kubernetesRunManifests(options: KubernetesRunOptions): KubernetesRunManifests {
  const mountPath = options.mountPath ?? '/work';
  const db = path.posix.resolve(mountPath, options.db ?? 'logbench.duckdb');
  const shardDatabases = shardDatabasePaths(db, options.shards, path.posix);
  const logbench = options.command ?? 'logbench';
  const prefix = options.name ?? 'logbench';
  const labels = { 'app.kubernetes.io/name': 'logbench', 'app.kubernetes.io/instance': jobName(prefix, 'run') };
  const volume = { name: 'work', persistentVolumeClaim: { claimName: options.pvc } };
  const volumeMount = { name: 'work', mountPath };
  const envFrom = options.envSecret ? { envFrom: [{ secretRef: { name: options.envSecret } }] } : {};
  const limits = resources(options);
  // Only shard pods get the resources (GPUs): the merge is light.
  const container = (containerName: string, args: string[], shard?: { env: Manifest[] }) => ({
    name: containerName,
    image: options.image,
    command: [logbench],
    args,
    workingDir: mountPath,
    ...(shard && { env: shard.env }),
    ...envFrom,
    volumeMounts: [volumeMount],
    ...(shard && limits && { resources: limits }),
  });
  const job = (suffix: string, spec: Manifest, pod: Manifest): Manifest => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: jobName(prefix, suffix), labels },
    spec: { ...spec, template: { metadata: { labels }, spec: { restartPolicy: 'Never', volumes: [volume], ...pod } } },
  });

  const shardJob = job(
    'shards',
    {
      completionMode: 'Indexed',
      completions: options.shards,
      parallelism: Math.min(options.parallelism ?? options.shards, options.shards),
      // A failed pod is retried in place; its shard resumes from its database (finished batches are not queried again).
      backoffLimit: Math.max(6, options.shards),
    },
    {
      containers: [
        container(
          'shard',
          // $(JOB_COMPLETION_INDEX) is expanded by Kubernetes from the variable defined below.
          ['run', options.suite, '--shard', 'auto', '--db', shardDatabasePath(db, '$(JOB_COMPLETION_INDEX)', options.shards, path.posix), '--no-report'],
          {
            env: [
              { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } },
              { name: SHARD_COUNT_VARIABLE, value: String(options.shards) },
            ],
          },
        ),
      ],
    },
  );
  // The merge writes the reports of the runs it made (--report) beside the database; nothing is queried.
  const mergeJob = job(
    'merge',
    // Not retried: a second merge into the database it already wrote is refused anyway.
    { completions: 1, backoffLimit: 0 },
    { containers: [container('merge', ['merge', ...shardDatabases, '--db', db, '--report'])] },
  );
  return { shardJob, mergeJob, db, shardDatabases };
}

