import { describe, expect, it } from 'vitest';
import { ReplicaPool } from './replicas.js';

/** A pool on a clock the test moves. */
function pool(size: number, policy = {}) {
  const clock = { t: 0 };
  return { pool: new ReplicaPool(size, policy, () => clock.t), clock };
}

describe('ReplicaPool', () => {
  it('sends each request to the replica with the fewest in flight, in turn among equals', async () => {
    const { pool: replicas } = pool(3);
    const leases = [];
    for (let i = 0; i < 6; i++) leases.push(await replicas.acquire());
    expect(leases.map((l) => l.replica)).toEqual([0, 1, 2, 0, 1, 2]);
    replicas.release(leases[1]!, 'answered');
    replicas.release(leases[4]!, 'answered');
    // Replica 1 has none in flight now: it gets the next two before the others get a third.
    expect((await replicas.acquire()).replica).toBe(1);
    expect((await replicas.acquire()).replica).toBe(1);
    expect([0, 1, 2].map((i) => replicas.inFlight(i))).toEqual([2, 2, 2]);
  });

  it('backs off an unreachable replica at once, for a doubling time up to the cap, and sends the others its requests', async () => {
    const { pool: replicas, clock } = pool(2, { backoffBaseMs: 100, backoffMaxMs: 300 });
    const down = await replicas.acquire();
    expect(down.replica).toBe(0);
    replicas.release(down, 'unreachable');
    expect(replicas.isBackedOff(0)).toBe(true);
    for (let i = 0; i < 3; i++) expect((await replicas.acquire()).replica).toBe(1);
    const lengths: number[] = [];
    for (let trip = 0; trip < 4; trip++) {
      const from = clock.t;
      while (replicas.isBackedOff(0)) clock.t += 10;
      lengths.push(clock.t - from);
      const probe = await replicas.acquire(new Set([1]));
      expect(probe.replica).toBe(0);
      replicas.release(probe, 'unreachable');
    }
    expect(lengths).toEqual([100, 200, 300, 300]);
  });

  it(`backs off a replica after 3 failing answers in a row, not after 2 with an answer between`, async () => {
    const { pool: replicas } = pool(1);
    const fail = async () => replicas.release(await replicas.acquire(), 'failing');
    await fail();
    await fail();
    replicas.release(await replicas.acquire(), 'answered');
    await fail();
    await fail();
    expect(replicas.isBackedOff(0)).toBe(false);
    await fail();
    expect(replicas.isBackedOff(0)).toBe(true);
  });

  it('counts the requests a dead replica fails at once as one failure: its back-off is not lengthened by them', async () => {
    const { pool: replicas, clock } = pool(1, { backoffBaseMs: 100 });
    const inFlight = [await replicas.acquire(), await replicas.acquire(), await replicas.acquire()];
    for (const lease of inFlight) replicas.release(lease, 'unreachable');
    while (replicas.isBackedOff(0)) clock.t += 10;
    expect(clock.t).toBe(100); // one trip, not three (400 ms)
  });

  it('after a back-off lets one probe through at a time; an answer opens the replica to all', async () => {
    const { pool: replicas, clock } = pool(2, { backoffBaseMs: 100 });
    replicas.release(await replicas.acquire(), 'unreachable');
    clock.t = 100;
    const probe = await replicas.acquire(new Set([1]));
    expect(probe.replica).toBe(0);
    expect(replicas.pick(new Set([1]))).toBe(1); // replica 0 takes no second request while probed and 1 is open
    expect(replicas.hasFreeReplicaBesides(new Set([1]))).toBe(false); // nowhere to fail over to from 1
    replicas.release(probe, 'answered');
    expect(replicas.hasFreeReplicaBesides(new Set([1]))).toBe(true);
    expect(replicas.pick(new Set([1]))).toBe(0);
    // A failed probe backs it off again, longer, whatever the streak.
    const second = await replicas.acquire(new Set([1]));
    replicas.release(second, 'answered');
    replicas.release(await replicas.acquire(new Set([1])), 'failing');
    expect(replicas.isBackedOff(0)).toBe(false); // answered in between: a fresh streak of 1
  });

  it('when no other replica is open, sends waiting requests to a probed one, and the earliest back-off stays at its base', async () => {
    const { pool: replicas, clock } = pool(2, { backoffBaseMs: 100 });
    replicas.release(await replicas.acquire(), 'unreachable');
    replicas.release(await replicas.acquire(), 'unreachable');
    clock.t = 100;
    const leases = [await replicas.acquire(), await replicas.acquire(), await replicas.acquire()];
    expect(leases.map((l) => l.replica).sort()).toEqual([0, 0, 1]);
    // All fail together: one trip per replica, not one per request.
    for (const lease of leases) replicas.release(lease, 'unreachable');
    // A total outage, round after round: requests wait for the earliest replica, never longer than the base.
    for (let round = 0; round < 5; round++) {
      const from = clock.t;
      while (replicas.pick() === null) clock.t += 10;
      expect(clock.t - from).toBeLessThanOrEqual(100);
      const waiting = [await replicas.acquire(), await replicas.acquire()];
      for (const lease of waiting) replicas.release(lease, 'unreachable');
    }
  });

  it('prefers replicas a request has not failed on, and uses those it has when no other is open', async () => {
    const { pool: replicas } = pool(2);
    const busy = await replicas.acquire(); // replica 0 now has more in flight
    expect((await replicas.acquire(new Set([1]))).replica).toBe(0);
    replicas.release(busy, 'answered');
    expect(replicas.pick(new Set([0, 1]))).not.toBeNull();
  });

  it('when every replica is backing off, waits for the earliest to end', async () => {
    const replicas = new ReplicaPool(2, { backoffBaseMs: 80 });
    replicas.release(await replicas.acquire(), 'unreachable');
    await new Promise((resolve) => setTimeout(resolve, 40));
    replicas.release(await replicas.acquire(), 'unreachable');
    expect(replicas.pick()).toBeNull();
    const lease = await replicas.acquire();
    expect(lease.replica).toBe(0); // backed off first, so open first
    expect(replicas.isBackedOff(1)).toBe(true);
  });

  it('a waiting acquire rejects when its signal aborts', async () => {
    const replicas = new ReplicaPool(2, { backoffBaseMs: 60_000 });
    replicas.release(await replicas.acquire(), 'unreachable');
    replicas.release(await replicas.acquire(), 'unreachable');
    const abort = new AbortController();
    const waiting = replicas.acquire(new Set(), abort.signal);
    abort.abort(new Error('interrupted'));
    await expect(waiting).rejects.toThrow('interrupted');
  });
});
