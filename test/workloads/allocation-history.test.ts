/** The cluster's figures per pool and queue over time, recorded by watching the model. */
import { describe, expect, it } from 'vitest';
import { seconds } from '../../sim/engine/index.ts';
import { AllocationHistory, StepSeries } from '../../sim/simulator/allocation-history.ts';
import type { SimulatedCluster } from '../../sim/simulator/simulated-cluster.ts';
import type { InferenceSpec } from '../../sim/workloads/spec.ts';
import { inference, model } from '../support/workloads.ts';

const create = (m: SimulatedCluster, spec: Partial<InferenceSpec>) => {
  const w = m.createWorkload({ spec: inference(spec), useGivenNameAsPrefix: false, createdBy: 'x', request: '{}' });
  if (!w.ok) throw new Error(w.message);
  return w.value;
};

describe('StepSeries', () => {
  it('keeps changes only, replaces a change at the same instant, and drops the oldest past its cap', () => {
    const s = new StepSeries(4);
    s.set(10, 1);
    s.set(20, 1);
    s.set(30, 2);
    s.set(30, 3);
    expect([s.at(5), s.at(10), s.at(29), s.at(30), s.at(1e9)]).toEqual([undefined, 1, 1, 3, 3]);
    s.set(40, 1);
    s.set(40, 3); // back to the value before: no point at 40
    expect(s.at(45)).toBe(3);
    for (const [at, v] of [
      [50, 4],
      [60, 5],
      [70, 6],
    ])
      s.set(at!, v!);
    // Five points exceed the cap of four: the oldest two are gone, and what they said is no longer known.
    expect([s.at(25), s.at(30), s.at(55), s.at(75)]).toEqual([undefined, undefined, 4, 6]);
  });
});

describe('AllocationHistory', () => {
  it('records GPUs, CPU, memory and workloads per queue, and frees them the instant the pods are gone', () => {
    const m = model(4);
    const history = new AllocationHistory(m);
    const team = m.scheduler.tree.project('team')!.index;
    const dept = m.scheduler.tree.queues[team]!.parent;
    create(m, {});
    const w = create(m, { name: 'second' });
    m.advanceTo(seconds(100));
    expect(m.deleteWorkload(w.id).ok).toBe(true);
    m.advanceTo(seconds(200));
    const at = (figure: Parameters<AllocationHistory['queue']>[0], q: number, t: number) =>
      history.queue(figure, q, 0).at(seconds(t));
    // Both placed by the first cycle (1 s): 2 × (leader + worker) × 8 GPUs, 8 cores and 64 GiB a pod; the
    // second's pods, deleted at 100 s, take 5 s to terminate, and give their resources back then.
    expect([0, 1, 104, 105, 150].map((t) => at('allocatedGpus', team, t))).toEqual([0, 32, 32, 16, 16]);
    expect([0, 1, 105].map((t) => at('cpuMillis', dept, t))).toEqual([0, 32_000, 16_000]);
    expect(at('memoryBytes', team, 50)).toBe(4 * 64 * 2 ** 30);
    expect([0, 1, 105].map((t) => at('runningWorkloads', team, t))).toEqual([0, 2, 1]);
    expect([0, 104, 105].map((t) => history.workloadCount(team).at(seconds(t)))).toEqual([2, 2, 1]);
    expect(history.pool('readyGpus', 0).at(0)).toBe(32);
  });

  it('counts a waiting workload with the instant it began waiting, and follows node faults', () => {
    const m = model(1);
    const history = new AllocationHistory(m);
    const team = m.scheduler.tree.project('team')!.index;
    create(m, { workers: 0, worker: null });
    create(m, { name: 'waits', workers: 0, worker: null });
    m.advanceTo(seconds(50));
    expect(history.queue('pendingWorkloads', team, 0).at(seconds(50))).toBe(1);
    expect(history.queue('pendingSinceSum', team, 0).at(seconds(50))).toBe(seconds(1));
    expect(history.queue('pendingGpus', team, 0).at(seconds(50))).toBe(8);
    const node = m.scheduler.cluster.layout.nodes[0]!.name;
    expect(m.setNodeReady(node, false).ok).toBe(true);
    m.advanceTo(seconds(60));
    expect([0, 50].map((t) => history.pool('readyNodes', 0).at(seconds(t)))).toEqual([1, 0]);
    expect(history.pool('readyGpus', 0).at(seconds(50))).toBe(0);
    expect(history.queue('allocatedGpus', team, 0).at(seconds(50))).toBe(0);
    expect(history.queue('pendingWorkloads', team, 0).at(seconds(55))).toBe(2);
  });
});
