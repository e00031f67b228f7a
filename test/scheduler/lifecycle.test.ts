import { describe, expect, it } from 'vitest';
import { allocationMetrics, fragmentation, Scheduler } from '../../sim/scheduler/index.ts';
import { makeCluster, nodes } from '../support/clusters.ts';
import { departments, gang } from '../support/scheduling.ts';

const queues = departments({
  d: { deserved: { a: 16 }, projects: { p: { deserved: { a: 12 }, limit: { a: 14 } }, q: { deserved: { a: 4 } } } },
});

describe('scheduler lifecycle', () => {
  it('rejects what can never be scheduled, and duplicates', () => {
    const scheduler = new Scheduler(makeCluster({ a: [nodes(1)] }), queues);
    expect(scheduler.submit(gang({ id: 'x', project: 'nobody', pods: [1] }), 0)).toEqual({
      ok: false,
      reason: 'unknown project nobody',
    });
    expect(scheduler.submit(gang({ id: 'x', project: 'p', pods: [1], nodePools: ['zz'] }), 0)).toEqual({
      ok: false,
      reason: 'unknown node pool zz',
    });
    expect(scheduler.submit({ ...gang({ id: 'x', project: 'p', pods: [1] }), pods: [] }, 0)).toEqual({
      ok: false,
      reason: 'a gang needs at least one pod',
    });
    expect(scheduler.submit({ ...gang({ id: 'x', project: 'p', pods: [1] }), priority: 1000 }, 0)).toEqual({
      ok: false,
      reason: 'priority 1000 is not an integer from 0 to 999',
    });
    expect(scheduler.submit(gang({ id: 'x', project: 'p', pods: [1] }), 0).ok).toBe(true);
    expect(scheduler.submit(gang({ id: 'x', project: 'p', pods: [1] }), 0)).toEqual({
      ok: false,
      reason: 'gang x already exists',
    });
    expect(scheduler.remove('nope', 0)).toEqual({ ok: false, reason: 'unknown gang nope' });
  });

  it('tracks pending time, frees resources on removal and lets waiting gangs in', () => {
    const scheduler = new Scheduler(makeCluster({ a: [nodes(1)] }), queues);
    scheduler.submit(gang({ id: 'first', project: 'p', pods: [8] }), 0);
    scheduler.submit(gang({ id: 'second', project: 'q', pods: [8] }), 5);
    scheduler.cycle(10);
    expect(scheduler.gang('first')!.phase).toBe('running');
    expect(scheduler.gang('first')!.pendingMicros).toBe(10);
    expect(scheduler.gang('second')!.pending?.code).toBe('Unschedulable');
    expect(scheduler.remove('first', 50).ok).toBe(true);
    const report = scheduler.cycle(60);
    expect(report.placed.map((g) => g.spec.id)).toEqual(['second']);
    expect(scheduler.gang('second')!.pendingMicros).toBe(55);
    expect(scheduler.gang('second')!.firstPlacedAt).toBe(60);
  });

  it('returns gangs on a failed node to pending and places them again elsewhere', () => {
    const cluster = makeCluster({ a: [nodes(2)] });
    const scheduler = new Scheduler(cluster, queues);
    scheduler.submit(gang({ id: 'g', project: 'p', pods: [4, 4] }), 0);
    scheduler.cycle(0);
    const node = scheduler.gang('g')!.bindings[0]!.node;
    const displaced = scheduler.setNodeReady(node, false, 10);
    expect(displaced.map((g) => g.spec.id)).toEqual(['g']);
    expect(scheduler.gang('g')!.phase).toBe('pending');
    scheduler.cycle(20);
    const g = scheduler.gang('g')!;
    expect(g.phase).toBe('running');
    expect(g.bindings.every((b) => b.node !== node)).toBe(true);
    expect(cluster.checkInvariants()).toEqual([]);
  });

  it('reports allocation per pool and queue, with fair shares', () => {
    const scheduler = new Scheduler(makeCluster({ a: [nodes(2)] }), queues);
    scheduler.submit(gang({ id: 'g', project: 'p', pods: [8, 2] }), 0);
    scheduler.submit(gang({ id: 'w', project: 'q', pods: [16] }), 0);
    scheduler.cycle(0);
    const metrics = allocationMetrics(scheduler);
    expect(metrics.pools).toEqual([
      { pool: 'a', capacityGpus: 16, allocatedGpus: 10, freeGpus: 6, fragmentedGpus: 6, fragmentation: 1 },
    ]);
    expect(metrics.queues.find((q) => q.queue === 'p')).toMatchObject({
      allocatedGpus: 10,
      deservedGpus: 12,
      limitGpus: 14,
      fairShareGpus: 10,
    });
    expect(metrics.queues.find((q) => q.queue === 'q')).toMatchObject({
      allocatedGpus: 0,
      pendingGpus: 16,
      fairShareGpus: 6,
    });
  });

  it('measures fragmentation against the requests that matter', () => {
    const cluster = makeCluster({ a: [nodes(2, { gpu: { model: 'H100-SXM-80GB', count: 4 } })] });
    const scheduler = new Scheduler(cluster, queues);
    scheduler.submit(gang({ id: 'three', project: 'p', pods: [3] }), 0);
    scheduler.submit(gang({ id: 'half', project: 'p', pods: [0.5] }), 0);
    scheduler.cycle(0);
    // Node 0: 3 devices whole + one device half-used; node 1: 4 free devices.
    expect(fragmentation(cluster, 0, [{ kind: 'devices', count: 4 }])).toEqual({ freeGpus: 4.5, fragmentedGpus: 0.5 });
    expect(fragmentation(cluster, 0, [{ kind: 'devices', count: 1 }])).toEqual({ freeGpus: 4.5, fragmentedGpus: 0.5 });
    expect(fragmentation(cluster, 0, [{ kind: 'portion', portion: 0.5 }])).toEqual({
      freeGpus: 4.5,
      fragmentedGpus: 0,
    });
    expect(fragmentation(cluster, 0, [{ kind: 'portion', portion: 0.75 }])).toEqual({
      freeGpus: 4.5,
      fragmentedGpus: 0.5,
    });
  });
});
