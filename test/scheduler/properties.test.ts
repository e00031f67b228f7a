/**
 * Property tests over random clusters, queues and workloads: whatever happens, after every cycle nothing is
 * over-allocated, every gang is placed whole or not at all, the books agree with the placements, and
 * non-preemptible work stays within deserved quota (limits within limits).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GPU_UNITS, type NodeSetSpec } from '../../sim/cluster/index.ts';
import { PRIORITY_CLASSES, Scheduler, type DepartmentSpec } from '../../sim/scheduler/index.ts';
import { makeCluster, nodes } from '../support/clusters.ts';
import { gang, type JobFixture, type PodAsk } from '../support/scheduling.ts';

const ASKS: PodAsk[] = [0.25, 0.5, 1, 2, 4, 8, '20Gi', '40Gi'];

const nodeSet: fc.Arbitrary<NodeSetSpec> = fc
  .record({
    count: fc.integer({ min: 1, max: 5 }),
    gpus: fc.constantFrom(1, 2, 4, 8),
    rack: fc.integer({ min: 1, max: 3 }),
    tainted: fc.boolean(),
  })
  .map(({ count, gpus, rack, tainted }) =>
    nodes(count, {
      gpu: { model: 'H100-SXM-80GB', count: gpus },
      topology: { rack },
      taints: tainted ? [{ key: 'dedicated', effect: 'NoSchedule' }] : [],
    }),
  );

const quota = fc.record({
  deserved: fc.integer({ min: 0, max: 16 }),
  limit: fc.option(fc.integer({ min: 0, max: 24 }), { nil: null }),
  overQuotaWeight: fc.integer({ min: 0, max: 3 }),
});

const queues: fc.Arbitrary<DepartmentSpec[]> = fc
  .array(
    fc.record({
      quotas: fc.tuple(quota, quota),
      projects: fc.array(fc.tuple(quota, quota, fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 2 },
  )
  .map((departments) =>
    departments.map((d, i) => ({
      name: `d${i}`,
      rank: 0,
      quotas: { a: d.quotas[0], b: d.quotas[1] },
      projects: d.projects.map(([qa, qb, rank], j) => ({ name: `p${i}-${j}`, rank, quotas: { a: qa, b: qb } })),
    })),
  );

type Op =
  | {
      kind: 'submit';
      pods: PodAsk[];
      project: number;
      priority: keyof typeof PRIORITY_CLASSES;
      pools: number;
      tolerate: boolean;
      rack: 'none' | 'preferred' | 'required';
    }
  | { kind: 'remove'; pick: number }
  | { kind: 'cycle' }
  | { kind: 'node'; pick: number; ready: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('submit' as const),
      pods: fc.array(fc.constantFrom(...ASKS), { minLength: 1, maxLength: 3 }),
      project: fc.nat(),
      priority: fc.constantFrom(...(Object.keys(PRIORITY_CLASSES) as (keyof typeof PRIORITY_CLASSES)[])),
      pools: fc.integer({ min: 0, max: 3 }),
      tolerate: fc.boolean(),
      rack: fc.constantFrom('none' as const, 'preferred' as const, 'required' as const),
    }),
    weight: 5,
  },
  { arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('cycle' as const) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('node' as const), pick: fc.nat(), ready: fc.boolean() }), weight: 1 },
);

function checkAfterCycle(scheduler: Scheduler): void {
  const { cluster, tree, usage } = scheduler;
  expect(cluster.checkInvariants()).toEqual([]);
  const allocated = new Float64Array(usage.allocated.length);
  const allocatedNp = new Float64Array(usage.allocated.length);
  const deviceUnits = new Map<string, number>();
  for (const g of scheduler.allGangs()) {
    if (g.phase === 'pending') {
      expect(g.bindings).toEqual([]);
      continue;
    }
    // Whole: one binding per pod, each in the gang's pool, each pod's request honoured.
    expect(g.bindings).toHaveLength(g.spec.pods.length);
    for (const binding of g.bindings) expect(cluster.layout.nodes[binding.node]!.pool).toBe(g.pool);
    g.bindings.forEach((b, i) => {
      const ask = g.spec.pods[i]!.resources.gpu;
      if (ask.kind === 'devices') expect(b.gpus).toHaveLength(ask.count);
      for (const device of b.gpus)
        deviceUnits.set(`${b.node}/${device}`, (deviceUnits.get(`${b.node}/${device}`) ?? 0) + b.unitsPerGpu);
    });
    for (const q of tree.chain(g.project)) {
      allocated[tree.slot(q, g.pool)]! += scheduler.unitsOf(g as never, g.pool);
      if (!g.spec.preemptible) allocatedNp[tree.slot(q, g.pool)]! += scheduler.unitsOf(g as never, g.pool);
    }
  }
  // The books agree with the placements, device by device and queue by queue.
  for (const node of cluster.layout.nodes) {
    cluster
      .deviceUsage(node.index)
      .forEach((used, device) => expect(used).toBe(deviceUnits.get(`${node.index}/${device}`) ?? 0));
  }
  expect([...usage.allocated]).toEqual([...allocated]);
  for (let slot = 0; slot < allocated.length; slot++) {
    expect(allocatedNp[slot]!).toBeLessThanOrEqual(tree.deserved[slot]! + 1);
    if (tree.limit[slot]! >= 0) expect(allocated[slot]!).toBeLessThanOrEqual(tree.limit[slot]! + 1);
  }
}

describe('scheduler properties', () => {
  it('keeps every invariant through random submissions, removals, faults and cycles', () => {
    fc.assert(
      fc.property(
        fc.array(nodeSet, { minLength: 1, maxLength: 2 }),
        fc.array(nodeSet, { minLength: 1, maxLength: 2 }),
        queues,
        fc.array(op, { minLength: 1, maxLength: 60 }),
        (setsA, setsB, departments, ops) => {
          const cluster = makeCluster({ a: setsA, b: setsB }, ['rack']);
          const scheduler = new Scheduler(cluster, departments);
          const projects = departments.flatMap((d) => d.projects.map((p) => p.name));
          const ids: string[] = [];
          let submitted = 0;
          let now = 0;
          for (const o of ops) {
            now += 1000;
            if (o.kind === 'submit') {
              const job: JobFixture = {
                id: `j${submitted++}`,
                project: projects[o.project % projects.length]!,
                pods: o.pods,
                priority: PRIORITY_CLASSES[o.priority],
                nodePools: o.pools === 0 ? [] : o.pools === 1 ? ['a'] : o.pools === 2 ? ['b'] : ['b', 'a'],
                ...(o.tolerate
                  ? { constraints: { tolerations: [{ key: 'dedicated', operator: 'Exists' as const }] } }
                  : {}),
                ...(o.rack !== 'none'
                  ? { topology: { key: 'lwsim.io/topology.rack', required: o.rack === 'required' } }
                  : {}),
              };
              const result = scheduler.submit(gang(job), now);
              expect(result.ok).toBe(true);
              ids.push(job.id);
            } else if (o.kind === 'remove' && ids.length > 0) {
              expect(scheduler.remove(ids.splice(o.pick % ids.length, 1)[0]!, now).ok).toBe(true);
            } else if (o.kind === 'node') {
              scheduler.setNodeReady(o.pick % cluster.layout.nodes.length, o.ready, now);
            } else if (o.kind === 'cycle') {
              const report = scheduler.cycle(now);
              for (const e of report.evictions) expect(e.victim.spec.preemptible).toBe(true);
              checkAfterCycle(scheduler);
            }
          }
          scheduler.cycle(now + 1);
          checkAfterCycle(scheduler);
          // Pending gangs always say why.
          for (const g of scheduler.allGangs())
            if (g.phase === 'pending') expect(g.pending?.message.length ?? 0).toBeGreaterThan(0);
        },
      ),
      { numRuns: Number(process.env.LWSIM_PROPERTY_RUNS ?? 150) },
    );
  });

  it('is deterministic: the same inputs give the same placements, and a clone runs ahead without touching the original', () => {
    const run = (): string => {
      const cluster = makeCluster({ a: [nodes(6, { topology: { rack: 3 } })] }, ['rack']);
      const scheduler = new Scheduler(cluster, [
        { name: 'd', rank: 0, quotas: {}, projects: [{ name: 'p', rank: 0, quotas: { a: { deserved: 24 } } }] },
      ]);
      for (let i = 0; i < 30; i++)
        scheduler.submit(
          gang({ id: `g${i}`, project: 'p', pods: [ASKS[i % ASKS.length]!, 1], priority: i % 2 ? 40 : 125 }),
          i,
        );
      scheduler.cycle(100);
      const before = JSON.stringify([...scheduler.allGangs()].map((g) => [g.spec.id, g.phase, g.bindings]));
      const fork = scheduler.clone();
      for (let i = 0; i < 6; i++) fork.setNodeReady(i, false, 200);
      fork.submit(gang({ id: 'extra', project: 'p', pods: [8] }), 200);
      fork.cycle(200);
      expect(JSON.stringify([...scheduler.allGangs()].map((g) => [g.spec.id, g.phase, g.bindings]))).toBe(before);
      expect(cluster.checkInvariants()).toEqual([]);
      expect(fork.cluster.checkInvariants()).toEqual([]);
      expect(scheduler.usage.allocated).not.toEqual(fork.usage.allocated);
      return before;
    };
    expect(run()).toBe(run());
  });

  it('accounts GPU fractions exactly in the books', () => {
    const cluster = makeCluster({ a: [nodes(1, { gpu: { model: 'A100-SXM-80GB', count: 1 } })] });
    const scheduler = new Scheduler(cluster, [
      {
        name: 'd',
        rank: 0,
        quotas: { a: { deserved: 1 } },
        projects: [{ name: 'p', rank: 0, quotas: { a: { deserved: 1 } } }],
      },
    ]);
    for (let i = 0; i < 3; i++)
      scheduler.submit(gang({ id: `third-${i}`, project: 'p', pods: [1 / 3], priority: 150 }), 0);
    scheduler.cycle(0);
    expect([...scheduler.allGangs()].every((g) => g.phase === 'running')).toBe(true);
    expect(
      scheduler.usage.allocatedNonPreemptible[scheduler.tree.slot(scheduler.tree.project('p')!.index, 0)],
    ).toBeLessThanOrEqual(GPU_UNITS);
  });
});
