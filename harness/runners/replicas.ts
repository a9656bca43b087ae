/**
 * Which replica of a model (one of its `endpoints`) gets the next request, and which replicas sit
 * out a back-off. A request goes to the replica with the fewest requests in flight (ties in turn);
 * a replica that cannot be reached is backed off at once, one that answers 5xx / 429 / malformed
 * bodies after `failureStreak` such answers in a row. Back-off doubles per trip up to a cap; when it
 * ends, the replica gets one request (a probe) and, while another replica is open, no other until
 * that one answers: a replica still down costs one request per back-off, not a burst. When every
 * replica is down, waiting requests all go as soon as one comes back: a probe at a time would fail
 * them one back-off apart, and a back-off does not grow while no replica is up: it would only stall
 * the run, which then fails at the pace of one dead endpoint. Answers that are the request's fault
 * (4xx other than 429, an oversized answer) say nothing about the replica and reset its streak.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** What an attempt says about the replica that served it. */
export type ReplicaHealth =
  /** It answered (a 4xx other than 429 included: that is the request's fault). */
  | 'answered'
  /** Connection refused or reset, a timeout, a body cut short: backed off at once. */
  | 'unreachable'
  /** 5xx, 429 or a malformed body: backed off after `failureStreak` in a row. */
  | 'failing'
  /** The run stopped the attempt: it says nothing about the replica. */
  | 'cancelled';

export interface ReplicaPolicy {
  /** `failing` answers in a row that back a replica off. Default 3. */
  failureStreak?: number;
  /** First back-off; each further trip in a row doubles it. Default 1000 ms. */
  backoffBaseMs?: number;
  /** Longest back-off. Default 30000 ms. */
  backoffMaxMs?: number;
}

export const DEFAULT_REPLICA_POLICY: Required<ReplicaPolicy> = { failureStreak: 3, backoffBaseMs: 1_000, backoffMaxMs: 30_000 };

interface ReplicaState {
  inFlight: number;
  /** `failing` answers in a row. */
  streak: number;
  /** Back-offs in a row without an answer in between: the exponent of the next one. */
  trips: number;
  /** performance.now() until which it gets no request. */
  backedOffUntil: number;
  /** After a back-off: one request at a time until one is answered, while another replica is open. */
  probing: boolean;
  /**
   * Counts trips: a failure of a request sent before the latest trip is part of the failure that
   * caused it (every request in flight to a killed server fails at once) and does not trip it again.
   */
  epoch: number;
}

/** One request's hold on a replica, from `acquire` to `release`. */
export interface ReplicaLease {
  readonly replica: number;
  readonly epoch: number;
}

export class ReplicaPool {
  readonly #states: ReplicaState[];
  readonly #policy: Required<ReplicaPolicy>;
  /** Where the round robin among equally loaded replicas starts next. */
  #cursor = 0;
  /** Woken by every release: a probe that answered frees its replica for the others. */
  #waiters = new Set<() => void>();

  constructor(
    readonly size: number,
    policy: ReplicaPolicy = {},
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`a replica pool needs at least one replica, got ${size}`);
    this.#policy = { ...DEFAULT_REPLICA_POLICY, ...policy };
    this.#states = Array.from({ length: size }, () => ({ inFlight: 0, streak: 0, trips: 0, backedOffUntil: 0, probing: false, epoch: 0 }));
  }

  /**
   * The replica for the next attempt: the least loaded of those not backing off, preferring those not
   * in `avoid` (replicas that already failed this request). Waits while none can take it: until the
   * earliest back-off ends or a probe answers. Rejects only when `signal` aborts.
   */
  async acquire(avoid: ReadonlySet<number> = new Set(), signal?: AbortSignal): Promise<ReplicaLease> {
    for (;;) {
      signal?.throwIfAborted();
      const lease = this.tryAcquire(avoid);
      if (lease !== null) return lease;
      await this.#nextChange(signal);
    }
  }

  /** `acquire` without the wait: null when no replica can take a request now. */
  tryAcquire(avoid: ReadonlySet<number> = new Set()): ReplicaLease | null {
    const replica = this.pick(avoid);
    if (replica === null) return null;
    const state = this.#states[replica] as ReplicaState;
    state.inFlight++;
    return { replica, epoch: state.epoch };
  }

  /** Hands the replica back with what the attempt said about it. */
  release(lease: ReplicaLease, health: ReplicaHealth): void {
    const state = this.#states[lease.replica] as ReplicaState;
    state.inFlight--;
    const current = lease.epoch === state.epoch;
    if (health === 'cancelled') {
      // Neither an answer nor a failure.
    } else if (health === 'answered') {
      state.streak = 0;
      if (current) {
        state.trips = 0;
        state.probing = false;
      }
    } else if (current) {
      if (health === 'unreachable') this.#trip(state);
      else if (++state.streak >= this.#policy.failureStreak || state.probing) this.#trip(state);
    }
    for (const wake of this.#waiters) wake();
  }

  /** Whether a replica is sitting out a back-off now (for messages and tests). */
  isBackedOff(replica: number): boolean {
    return (this.#states[replica]?.backedOffUntil ?? 0) > this.now();
  }

  inFlight(replica: number): number {
    return this.#states[replica]?.inFlight ?? 0;
  }

  /** Whether a replica outside `avoid` would take a request now: somewhere else to fail over to. */
  hasFreeReplicaBesides(avoid: ReadonlySet<number>): boolean {
    const now = this.now();
    return this.#states.some((_, i) => !avoid.has(i) && this.#isFree(i, now));
  }

  /** The replica `acquire` would take now, or null when none can take a request. */
  pick(avoid: ReadonlySet<number> = new Set()): number | null {
    const now = this.now();
    const open = (i: number) => (this.#states[i] as ReplicaState).backedOffUntil <= now;
    const free = (i: number) => this.#isFree(i, now);
    // Best a replica neither probed nor failed by this request, then one not probed, then any that is open.
    const chosen = this.#leastLoaded((i) => free(i) && !avoid.has(i)) ?? this.#leastLoaded(free) ?? this.#leastLoaded(open);
    if (chosen !== null) this.#cursor = (chosen + 1) % this.size;
    return chosen;
  }

  /** Open, and not holding a probe that has not answered yet. */
  #isFree(i: number, now: number): boolean {
    const state = this.#states[i] as ReplicaState;
    return state.backedOffUntil <= now && !(state.probing && state.inFlight > 0);
  }

  #leastLoaded(eligible: (i: number) => boolean): number | null {
    let best: number | null = null;
    for (let k = 0; k < this.size; k++) {
      const i = (this.#cursor + k) % this.size;
      if (!eligible(i)) continue;
      if (best === null || (this.#states[i] as ReplicaState).inFlight < (this.#states[best] as ReplicaState).inFlight) best = i;
    }
    return best;
  }

  #trip(state: ReplicaState): void {
    // Back-off moves load to replicas that are up. With none up it would only stall the run (a request
    // waits for the earliest one), so it stays at its base length: a run fails at the pace of one dead endpoint.
    const now = this.now();
    const othersUp = this.#states.some((other) => other !== state && other.backedOffUntil <= now);
    state.trips = othersUp ? state.trips + 1 : 1;
    state.epoch++;
    state.streak = 0;
    state.probing = true;
    state.backedOffUntil = now + Math.min(this.#policy.backoffMaxMs, this.#policy.backoffBaseMs * 2 ** (state.trips - 1));
  }

  /** Resolves when the earliest back-off ends, any replica is released, or `signal` aborts (`acquire` then throws). */
  async #nextChange(signal: AbortSignal | undefined): Promise<void> {
    const now = this.now();
    const ends = this.#states.map((s) => s.backedOffUntil).filter((until) => until > now);
    const timer = new AbortController();
    let wake: () => void = () => undefined;
    const changed = new Promise<void>((resolve) => (wake = resolve));
    this.#waiters.add(wake);
    signal?.addEventListener('abort', wake, { once: true });
    if (ends.length > 0) {
      sleep(Math.min(...ends) - now, undefined, { signal: timer.signal }).then(wake, () => undefined);
    }
    try {
      await changed;
    } finally {
      this.#waiters.delete(wake);
      signal?.removeEventListener('abort', wake);
      timer.abort();
    }
  }
}
