import { rmSync } from 'node:fs';
import { afterEach } from 'vitest';
import { startLoopbackOpenAI, startLoopbackReplicas, type LoopbackOpenAI, type LoopbackOptions } from './loopback-openai.js';

/** Loopback servers and scratch folders for the tests of one file: closed and removed after each test. */
export function loopbackScope(): {
  server(options?: LoopbackOptions): Promise<LoopbackOpenAI>;
  /** `count` servers answering alike: the replicas of one model. */
  replicas(count: number, options?: LoopbackOptions): Promise<LoopbackOpenAI[]>;
  dirs: string[];
} {
  let servers: LoopbackOpenAI[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return {
    async server(options) {
      const s = await startLoopbackOpenAI(options);
      servers.push(s);
      return s;
    },
    async replicas(count, options) {
      const started = await startLoopbackReplicas(count, options);
      servers.push(...started);
      return started;
    },
    dirs,
  };
}
