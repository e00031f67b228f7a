/** Cases a review found broken, kept as regression tests. */
import { describe, expect, it } from 'vitest';
import { seconds } from '../../sim/engine/index.ts';
import { SimulatedCluster } from '../../sim/simulator/simulated-cluster.ts';
import { resolvePriority, type Preemptibility, type PriorityClassName } from '../../sim/scheduler/index.ts';
import { clusterSpec, nodes } from '../support/clusters.ts';
import { FIXED_DELAYS, inference, model, template } from '../support/workloads.ts';

function twoProjects(
  pools: Record<string, ReturnType<typeof nodes>[]>,
  a: Record<string, number>,
  b: Record<string, number>,
  department: Record<string, number>,
) {
  const quotas = (q: Record<string, number>) =>
    Object.fromEntries(Object.entries(q).map(([pool, deserved]) => [pool, { deserved }]));
  return SimulatedCluster.create(
    {
      ...clusterSpec(pools),
      departments: [
        {
          name: 'd',
          rank: 0,
          quotas: quotas(department),
          projects: [
            { name: 'a', rank: 0, quotas: quotas(a) },
            { name: 'b', rank: 0, quotas: quotas(b) },
          ],
        },
      ],
    },
    { seed: 1, delays: FIXED_DELAYS },
  );
}

function single(
  m: SimulatedCluster,
  name: string,
  project: string,
  gpus: number,
  cls: PriorityClassName,
  pre?: Preemptibility,
  pools: string[] = [],
) {
  const r = m.createWorkload({
    spec: inference({
      name,
      project,
      workers: 0,
      worker: null,
      leader: template(gpus),
      nodePools: pools,
      priority: resolvePriority(cls, pre),
    }),
    useGivenNameAsPrefix: false,
    createdBy: 'x',
    request: '{}',
  });
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

/** Every running gang's group has its pods bound, and nothing else holds GPUs. */
function expectConsistent(m: SimulatedCluster): void {
  expect(m.scheduler.cluster.checkInvariants()).toEqual([]);
  for (const gang of m.scheduler.allGangs()) {
    const [workloadId, index] = gang.spec.id.split('/');
    const group = m.workload(workloadId!)!.groups.find((g) => g.index === Number(index) && g.gang === gang.spec.id)!;
    expect(group, gang.spec.id).toBeDefined();
    if (gang.phase === 'running' && group.status !== 'terminating')
      expect(group.pods.every((p) => p.node !== null)).toBe(true);
    if (gang.phase === 'pending') expect(group.status).toBe('pending');
  }
}

describe('regressions', () => {
  it('scaling down and back up while a group terminates', () => {
    const m = model(4);
    const w = m.createWorkload({
      spec: inference({ replicas: 2 }),
      useGivenNameAsPrefix: false,
      createdBy: 'x',
      request: '{}',
    });
    if (!w.ok) throw new Error(w.message);
    m.advanceTo(seconds(200));
    expect(m.scaleWorkload(w.value.id, 1).ok).toBe(true);
    expect(m.scaleWorkload(w.value.id, 2).ok).toBe(true);
    m.advanceTo(seconds(600));
    expect(w.value.phase).toBe('Running');
    expect(w.value.groups.map((g) => g.index)).toEqual([0, 1]);
    expectConsistent(m);
  });

  it('a node failing under a workload being deleted does not bring its group back', () => {
    const m = model(4);
    const w = m.createWorkload({ spec: inference(), useGivenNameAsPrefix: false, createdBy: 'x', request: '{}' });
    if (!w.ok) throw new Error(w.message);
    m.advanceTo(seconds(200));
    m.deleteWorkload(w.value.id);
    m.setNodeReady(w.value.groups[0]!.pods[0]!.node!, false);
    m.advanceTo(seconds(2000));
    expect(w.value.deletedAt).not.toBeNull();
    expect([...m.scheduler.allGangs()]).toEqual([]);
    expect(m.scheduler.cluster.domainFree(m.scheduler.cluster.layout.pools[0]!.root).wholeGpus).toBe(24);
  });

  it('a gang reclaimed and placed again in another pool in the same cycle runs there', () => {
    const m = twoProjects({ p1: [nodes(1)], p2: [nodes(1)] }, { p1: 0, p2: 8 }, { p1: 8, p2: 0 }, { p1: 8, p2: 8 });
    const v = single(m, 'v', 'a', 8, 'medium', 'preemptible', ['p1', 'p2']);
    m.advanceTo(seconds(100));
    const l = single(m, 'l', 'a', 8, 'low', 'preemptible', ['p2']);
    m.advanceTo(seconds(200));
    const g = single(m, 'g', 'b', 8, 'medium', 'preemptible', ['p1']);
    m.advanceTo(seconds(2000));
    expect(g.phase).toBe('Running');
    expect(v.phase).toBe('Running');
    expect(l.phase).toBe('Pending');
    expectConsistent(m);
  });

  it('a non-preemptible sibling over quota does not keep a preemptible gang of the same shape from reclaiming', () => {
    const m = twoProjects({ p1: [nodes(2)] }, { p1: 0 }, { p1: 0 }, { p1: 0 });
    single(m, 'b1', 'b', 8, 'medium', 'preemptible');
    single(m, 'b2', 'b', 8, 'medium', 'preemptible');
    m.advanceTo(seconds(100));
    const x = single(m, 'x', 'a', 8, 'medium', 'non-preemptible');
    const y = single(m, 'y', 'a', 8, 'medium', 'preemptible');
    m.advanceTo(seconds(1000));
    expect(x.phase).toBe('Pending');
    expect(y.phase).toBe('Running');
  });

  it("a pending reason names its own workload, never another project's", () => {
    const m = twoProjects({ p1: [nodes(1)] }, { p1: 16 }, { p1: 16 }, { p1: 32 });
    single(m, 'secret-a', 'a', 16, 'very-high');
    const b = single(m, 'bee', 'b', 16, 'very-high');
    m.advanceTo(seconds(10));
    expect(b.phaseMessage).toContain('b/bee/leader');
    expect(b.phaseMessage).not.toContain('secret-a');
  });

  it('a completed job cannot be scaled', () => {
    const m = model(2);
    const job = m.createWorkload({
      spec: inference({ name: 'train', runFor: seconds(10), priority: resolvePriority('low') }),
      useGivenNameAsPrefix: false,
      createdBy: 'x',
      request: '{}',
    });
    if (!job.ok) throw new Error(job.message);
    m.advanceTo(seconds(200));
    expect(job.value.phase).toBe('Completed');
    expect(m.scaleWorkload(job.value.id, 2)).toMatchObject({ ok: false, error: 'conflict' });
  });
});
