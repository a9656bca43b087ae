// A throwaway single-node SLURM cluster for the integration tests: munged, slurmctld and slurmd as
// children of the test process, configuration and state in a temp folder, free ports. Needs root and
// Debian's slurm-wlm + munge (.ci/run installs them); `slurmUnavailable()` says why it cannot start.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const PROGRAMS = ['munged', 'mungekey', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'sinfo'];

function onPath(program: string): boolean {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).concat(['/usr/sbin', '/sbin']);
  return dirs.some((dir) => existsSync(path.join(dir, program)));
}

/** Why a cluster cannot start here, or undefined when it can. */
export function slurmUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `SLURM runs on Linux, this is ${process.platform}`;
  const missing = PROGRAMS.filter((p) => !onPath(p));
  if (missing.length) return `${missing.join(', ')} not installed (Debian: apt-get install slurm-wlm munge, as .ci/run does)`;
  if (process.getuid?.() !== 0) return 'slurmd must run as root to start jobs (run the tests as root, as CI does)';
  return undefined;
}

export interface SlurmCluster {
  /** What a client (sbatch, squeue, logbench slurm) needs in its environment: SLURM_CONF, PATH with sbin. */
  env: NodeJS.ProcessEnv;
  dir: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function daemon(program: string, args: string[], env: NodeJS.ProcessEnv, log: string): ChildProcess {
  const child = spawn(program, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  // Kept for the error message when the cluster does not come up.
  child.stderr!.setEncoding('utf8').on('data', (d: string) => writeFileSync(log, d, { flag: 'a' }));
  return child;
}

/** Starts the cluster and waits until its node is idle (a few seconds). */
export async function startSlurmCluster(): Promise<SlurmCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-slurm-'));
  chmodSync(dir, 0o711); // munged refuses a socket folder others cannot reach
  for (const sub of ['state', 'spool']) mkdirSync(path.join(dir, sub));
  const file = (name: string) => path.join(dir, name);
  // Jobs inherit this environment (sbatch exports it): a CI matrix's shard pair must not reach them.
  const env: NodeJS.ProcessEnv = { ...process.env, SLURM_CONF: file('slurm.conf'), PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin`, LOGBENCH_SHARD_INDEX: '', LOGBENCH_SHARD_COUNT: '', JOB_COMPLETION_INDEX: '' };
  execFileSync('mungekey', ['--create', '--keyfile', file('munge.key')], { env, stdio: 'ignore' });
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const nodeLine = execFileSync('slurmd', ['-C'], { env, encoding: 'utf8' }).split('\n')[0]!; // NodeName=… CPUs=… RealMemory=…
  const host = os.hostname().split('.')[0]!;
  writeFileSync(
    file('slurm.conf'),
    [
      'ClusterName=logbench-test',
      `SlurmctldHost=${host}`,
      'SlurmUser=root',
      'SlurmdUser=root',
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${file('munge.socket')}`,
      `StateSaveLocation=${file('state')}`,
      `SlurmdSpoolDir=${file('spool')}`,
      `SlurmctldPidFile=${file('slurmctld.pid')}`,
      `SlurmdPidFile=${file('slurmd.pid')}`,
      `SlurmctldLogFile=${file('slurmctld.log')}`,
      `SlurmdLogFile=${file('slurmd.log')}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'MpiDefault=none',
      'ReturnToService=2',
      // Jobs stay listed by squeue/scontrol for 10 minutes after they end (no accounting database here).
      'MinJobAge=600',
      `${nodeLine} State=UNKNOWN`,
      // Four shards share the node's cores: they wait on the endpoint, not on the CPU.
      'PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:8',
      '',
    ].join('\n'),
  );
  const children = [
    daemon('munged', ['--foreground', '--force', `--socket=${file('munge.socket')}`, `--key-file=${file('munge.key')}`, `--pid-file=${file('munged.pid')}`, `--seed-file=${file('munged.seed')}`, `--log-file=${file('munged.log')}`], env, file('munged.stderr')),
  ];
  const stop = async () => {
    for (const child of children.reverse()) {
      if (child.exitCode === null && child.signalCode === null) {
        const closed = new Promise((resolve) => child.once('close', resolve));
        child.kill('SIGTERM');
        await Promise.race([closed, sleep(5000).then(() => child.kill('SIGKILL'))]);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; !existsSync(file('munge.socket')); i++) {
      if (i > 100) throw new Error('munged did not create its socket');
      await sleep(50);
    }
    children.push(daemon('slurmctld', ['-D', '-c'], env, file('slurmctld.stderr')), daemon('slurmd', ['-D'], env, file('slurmd.stderr')));
    for (let i = 0; ; i++) {
      let state = '';
      try {
        state = execFileSync('sinfo', ['-h', '-o', '%T'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      } catch {
        // slurmctld not listening yet
      }
      if (state === 'idle') break;
      if (i > 300) throw new Error(`the SLURM node did not become idle (sinfo: "${state}")`);
      await sleep(100);
    }
  } catch (error) {
    const logs = ['slurmctld.log', 'slurmd.log', 'munged.stderr'].filter((name) => existsSync(file(name))).map((name) => `${name}: ${readFileSync(file(name), 'utf8').trim().split('\n').slice(-3).join(' | ')}`);
    await stop();
    throw new Error(`${(error as Error).message}\n${logs.join('\n')}`);
  }
  return { env, dir, stop };
}
