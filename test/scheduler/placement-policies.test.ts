/**
 * The FGD paper's placement policies as a pool's `placement`: on hand-made nodes where each policy's choice
 * differs from binpack's, the node (and device) it picks, computed by hand from the formulas of
 * research/fgd-simulator-notes.md §6. Nodes a-0 and a-1 have 4 H100s and 64 cores; pods ask 1 core unless said.
 */
import { describe, expect, it } from 'vitest';
import { buildCluster, type ClusterState, type GpuRequest, type PlacementStrategy } from '../../sim/cluster/index.ts';
import { Scheduler } from '../../sim/scheduler/index.ts';
import { clusterSpec, nodes } from '../support/clusters.ts';
import { departments, gang, type PodAsk } from '../support/scheduling.ts';

const queues = departments({ d: { deserved: { a: 100 }, projects: { p: { deserved: { a: 100 } } } } });

function cluster(placement: PlacementStrategy, count = 2, gpus = 4): ClusterState {
  const spec = clusterSpec({ a: [nodes(count, { gpu: { model: 'H100-SXM-80GB', count: gpus } })] });
  const built = buildCluster({ ...spec, nodePools: spec.nodePools.map((p) => ({ ...p, placement })) });
  if (!built.ok) throw new Error(JSON.stringify(built.errors));
  return built.cluster;
}

/** Resources already taken on a node, outside the scheduler (placement reads only the cluster state). */
function occupy(state: ClusterState, node: number, gpu: GpuRequest, cpuMillis = 0, on?: number[]): void {
  const result = state.allocate(node, { gpu, cpuMillis, memoryBytes: 0 }, on);
  if (!result.ok) throw new Error(result.reason);
}

/** Submits `pods` as gang `id`, runs one cycle, and returns where its first pod went: node name and devices. */
function place(scheduler: Scheduler, pods: PodAsk[], cpu = 1, id = 'x'): { node: string; gpus: readonly number[] } {
  expect(scheduler.submit(gang({ id, project: 'p', pods, cpu }), 0).ok).toBe(true);
  scheduler.cycle(1);
  const binding = scheduler.gang(id)!.bindings[0]!;
  return { node: scheduler.cluster.layout.nodes[binding.node]!.name, gpus: binding.gpus };
}

/** Counts gangs of these pods among the submitted ones (typical pods), without leaving them behind. */
function submitted(scheduler: Scheduler, pods: PodAsk[], times: number): void {
  for (let i = 0; i < times; i++) {
    scheduler.submit(gang({ id: `seen-${i}`, project: 'p', pods }), 0);
    scheduler.remove(`seen-${i}`, 0);
  }
}

const devices = (count: number): GpuRequest => ({ kind: 'devices', count });
const portion = (p: number): GpuRequest => ({ kind: 'portion', portion: p });

/** a-0: 3 GPUs taken; a-1: 2 GPUs and 32 cores taken. Binpack takes a-0 (fewer free devices). */
function cpuBound(placement: PlacementStrategy): Scheduler {
  const state = cluster(placement);
  occupy(state, 0, devices(3));
  occupy(state, 1, devices(2), 32_000);
  return new Scheduler(state, queues);
}

describe('FGD placement policies in the scheduler', () => {
  it('binpack, for comparison, takes the node with the fewest free devices', () => {
    expect(place(cpuBound('binpack'), [1], 32).node).toBe('a-0');
  });

  it('dotprod takes the node whose free (cpu, gpu) vector has the smaller dot product with the pod', () => {
    // pod (32000/128000, 1000/8000). a-0: free (0.5, 0.125) → 100·(1 − 0.140625/2) = 92;
    // a-1: free (0.25, 0.25) → 100·(1 − 0.09375/2) = 95.
    expect(place(cpuBound('dotprod'), [1], 32).node).toBe('a-1');
  });

  it('bestfit takes the node left with the least, CPU and GPU weighted equally', () => {
    // a-0: 100·(1 − [0.5·32000/128000 + 0]) = 87; a-1: 100·(1 − [0 + 0.5·1000/8000]) = 93; normalised 0 and 100.
    expect(place(cpuBound('bestfit'), [1], 32).node).toBe('a-1');
  });

  it('gpu-clustering keeps pods of one kind together', () => {
    for (const [placement, expected] of [
      ['binpack', 'a-0'],
      ['gpu-clustering', 'a-1'],
    ] as const) {
      const state = cluster(placement);
      occupy(state, 0, devices(2)); // a 2-gpu pod
      occupy(state, 1, devices(1)); // a 1-gpu pod
      // a-0: another kind only, S = 25·(8000 − 2000)/8000 = 18; a-1: only 1-gpu pods, 75 + 25·5000/8000 = 90.
      expect(place(new Scheduler(state, queues), [1]).node).toBe(expected);
    }
  });

  it('gpu-packing prefers the shared device with the least left', () => {
    for (const [placement, expected] of [
      ['binpack', 'a-1'], // the first node with a shared device (it was shared first)
      ['gpu-packing', 'a-0'],
    ] as const) {
      const state = cluster(placement);
      occupy(state, 1, portion(0.2)); // 800 left
      occupy(state, 0, portion(0.6)); // 400 left
      // A 0.3 pod: a-0: 100 − ⌊⌊400·100/1000⌋/10⌋ = 96; a-1: 100 − 8 = 92.
      expect(place(new Scheduler(state, queues), [0.3]).node).toBe(expected);
    }
  });

  it('fgd takes the node whose fragmentation grows least against the typical pods', () => {
    for (const [placement, expected] of [
      ['binpack', 'a-1'],
      ['fgd', 'a-0'],
    ] as const) {
      const state = cluster(placement);
      occupy(state, 0, devices(1));
      occupy(state, 1, devices(2));
      const scheduler = new Scheduler(state, queues);
      submitted(scheduler, [2], 3);
      // Typical pods: 2-GPU 3/4, 1-GPU 1/4 (with the pod itself). a-0 → [0,0,1000,1000]: F stays 0, score 50;
      // a-1 → [0,0,0,1000]: no room for a 2-GPU pod, F = 0.75·1000, score int(100·sigmoid(−0.75)) = 32.
      expect(place(scheduler, [1]).node).toBe(expected);
    }
  });

  it('fgd picks the device too: the one that leaves room for the typical share pod', () => {
    for (const [placement, expected] of [
      ['binpack', [0]], // the fullest shared device it fits on
      ['fgd', [1]],
    ] as const) {
      const state = cluster(placement, 1, 2);
      occupy(state, 0, portion(0.5), 0, [0]); // 500 left
      occupy(state, 0, portion(0.25), 0, [1]); // 750 left
      const scheduler = new Scheduler(state, queues);
      submitted(scheduler, [0.5], 3);
      // Typical pods: 0.5 (3/4) and 0.25 (1/4). On gpu 0 → [250, 750]: F = 0.75·250; on gpu 1 → [500, 500]: F = 0.
      expect(place(scheduler, [0.25]).gpus).toEqual(expected);
    }
  });

  it('random spreads pods over the pool, the same way on every run', () => {
    const run = (placement: PlacementStrategy): string[] => {
      const scheduler = new Scheduler(cluster(placement, 4, 8), queues);
      return Array.from({ length: 8 }, (_, i) => place(scheduler, [1], 1, `g${i}`).node);
    };
    expect(new Set(run('binpack')).size).toBe(1);
    const first = run('random');
    expect(new Set(first).size).toBeGreaterThan(1);
    expect(run('random')).toEqual(first);
  });

  it('a device choice without room is a model bug, refused before anything changes', () => {
    const state = cluster('fgd', 1, 2);
    occupy(state, 0, devices(1), 0, [0]);
    expect(() => occupy(state, 0, devices(1), 0, [0])).toThrow(/cannot take the pod/);
    expect(() => occupy(state, 0, devices(1), 0, [1, 1])).toThrow(/cannot take the pod/);
    expect(state.checkInvariants()).toEqual([]);
    expect([...state.gpuPodKinds(0)]).toEqual([0, 1, 0]);
  });
});
