/**
 * One ordered chunk pool over worker_threads: chunks are worked on by `threads - 1` workers and the
 * main thread itself, and handed back strictly in input order. `logbench metrics --workers N` and
 * the harness's end-of-run scoring both use it; each supplies a worker script that calls
 * `serveChunks` and the same work as a function for the main thread.
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';

export interface OrderedPoolOptions<In, Out> {
  /** Threads in all, the main thread included (≥ 2: with one thread there is nothing to pool). */
  threads: number;
  /** The worker script (built .js), which calls `serveChunks`. */
  script: URL;
  /** What each worker receives as `workerData` (structured-cloned: no functions). */
  data: unknown;
  /** The main thread's own share: the same work the worker script does on a chunk. */
  local: (chunk: In) => Out;
}

interface Slot {
  worker?: Worker;
  queued: number;
}

/**
 * A chunk's result from a worker, the message of the error its work threw, or `cannotPost`: the
 * result holds something structured clone cannot copy (a function in a plugin's state), so the
 * main thread does that chunk itself and gives what one thread would.
 */
type Reply<Out> = { seq: number; result: Out } | { seq: number; error: string } | { seq: number; cannotPost: true };

/**
 * A worker holds up to two chunks, so it starts its next one as soon as it posts one instead of
 * waiting for the main thread to consume the oldest; the main thread takes the rest, scoring
 * between handing out chunks (it would otherwise idle: a third isolate to start, warm up and
 * collect cost ≈ 30 % more CPU than one thread on 10,000 text pairs, more than 2 cores can hide;
 * BENCHMARKS.md, bench:metrics).
 */
export class OrderedChunkPool<In, Out> {
  private readonly slots: Slot[];
  private readonly pending = new Map<number, { chunk: In; resolve: (out: Out) => void; reject: (error: Error) => void }>();
  private failure: Error | undefined;
  private seq = 0;

  constructor(private readonly options: OrderedPoolOptions<In, Out>) {
    const workers = Array.from({ length: Math.max(0, options.threads - 1) }, () => {
      const slot: Slot & { worker: Worker } = { worker: new Worker(options.script, { workerData: options.data }), queued: 0 };
      slot.worker.on('message', (reply: Reply<Out>) => {
        slot.queued--;
        const waiting = this.pending.get(reply.seq);
        this.pending.delete(reply.seq);
        // The worker's error message as it is: the same one line the main thread's work would throw.
        if (!waiting) return;
        if ('error' in reply) waiting.reject(new Error(reply.error));
        else if ('cannotPost' in reply) {
          try {
            waiting.resolve(this.options.local(waiting.chunk));
          } catch (err) {
            waiting.reject(err as Error);
          }
        } else waiting.resolve(reply.result);
      });
      slot.worker.on('error', (err) => this.fail(err));
      // A worker that exits while it holds chunks (out of memory, process.exit in a module) fails them.
      slot.worker.on('exit', (code) => {
        if (slot.queued > 0) this.fail(new Error(`a scoring worker exited with code ${code} while it held ${slot.queued} chunk(s)`));
      });
      return slot;
    });
    this.slots = [...workers, { queued: 0 }];
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const { reject } of this.pending.values()) reject(err);
    this.pending.clear();
  }

  /** Chunks the pool takes before the caller should wait for the oldest: two per thread. */
  get depth(): number {
    return this.slots.length * 2;
  }

  submit(chunk: In): Promise<Out> {
    if (this.failure) return Promise.reject(this.failure);
    const seq = this.seq++;
    // Workers first, up to two chunks each: the main thread does its chunks synchronously and only
    // between them hands out new ones, so a worker holding a single chunk idled until it had (a trace
    // of 10,000 pairs: 2 threads used 1.0 core in most runs). The main thread takes the rest.
    const least = this.slots.reduce((min, next) => (next.worker && next.queued < min.queued ? next : min));
    const slot = least.worker && least.queued < 2 ? least : (this.slots.at(-1) as Slot);
    slot.queued++;
    const { worker } = slot;
    if (!worker) {
      // Worked on a later turn of the event loop, so workers' results and new chunks are handled first.
      return new Promise((resolve) => setImmediate(resolve)).then(() => {
        slot.queued--;
        return this.options.local(chunk);
      });
    }
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { chunk, resolve, reject });
      worker.postMessage({ seq, chunk });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map(({ worker }) => worker?.terminate()));
  }
}

/**
 * Every chunk of `chunks` worked on by `pool` (or in turn on this thread, without one), `emit`ted in
 * input order; at most `pool.depth` chunks in flight, so memory stays flat on a stream.
 */
export async function forEachInOrder<In, Out>(
  chunks: AsyncIterable<In> | Iterable<In>,
  pool: OrderedChunkPool<In, Out> | undefined,
  local: (chunk: In) => Out,
  emit: (chunk: In, out: Out) => Promise<void> | void,
): Promise<void> {
  if (!pool) {
    for await (const chunk of chunks) await emit(chunk, local(chunk));
    return;
  }
  const inFlight: { chunk: In; result: Promise<Out> }[] = [];
  for await (const chunk of chunks) {
    while (inFlight.length >= pool.depth) {
      const next = inFlight.shift() as (typeof inFlight)[number];
      await emit(next.chunk, await next.result);
    }
    const result = pool.submit(chunk);
    result.catch(() => undefined); // awaited in order below; a worker's failure must not go unhandled meanwhile
    inFlight.push({ chunk, result });
  }
  for (const next of inFlight) await emit(next.chunk, await next.result);
}

/**
 * The worker side: `work` on each chunk the pool posts, its result posted back (with the buffers
 * `transfer` names moved, not copied). `setup` runs once first, from `workerData` (loading what the
 * work needs); a chunk's error goes back as its message, so the pool rejects with the same text.
 */
export function serveChunks<Setup, In, Out>(setup: (data: unknown) => Setup | Promise<Setup>, work: (setup: Setup, chunk: In) => Out, transfer: (out: Out) => ArrayBuffer[] = () => []): void {
  const port = parentPort;
  if (!port) return;
  const ready = Promise.resolve().then(() => setup(workerData));
  port.on('message', ({ seq, chunk }: { seq: number; chunk: In }) => {
    ready
      .then((state) => {
        const result = work(state, chunk);
        try {
          port.postMessage({ seq, result }, transfer(result));
        } catch (err) {
          if ((err as Error).name !== 'DataCloneError') throw err;
          port.postMessage({ seq, cannotPost: true });
        }
      })
      .catch((err: unknown) => port.postMessage({ seq, error: err instanceof Error ? err.message : String(err) }));
  });
}
