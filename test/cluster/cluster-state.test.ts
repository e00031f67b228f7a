import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GIB, GPU_UNITS, type Binding, type PodResources } from '../../sim/cluster/index.ts';
import { makeCluster, nodes } from '../support/clusters.ts';

const pod = (gpu: PodResources['gpu'], cpuMillis = 1000, memoryBytes = GIB): PodResources => ({
  gpu,
  cpuMillis,
  memoryBytes,
});
const devices = (count: number) => pod({ kind: 'devices', count });
const portion = (p: number) => pod({ kind: 'portion', portion: p });

function allocated(result: ReturnType<ReturnType<typeof makeCluster>['allocate']>): Binding {
  if (!result.ok) throw new Error(`expected a binding, got ${result.reason}`);
  return result.binding;
}

describe('ClusterState', () => {
  it('takes the lowest free devices and keeps node, domain and index figures current', () => {
    const cluster = makeCluster({ gpu: [nodes(8, { topology: { zone: 'z1', rack: 4 } })] }, ['zone', 'rack']);
    const { layout } = cluster;
    const b = allocated(cluster.allocate(0, devices(3)));
    expect(b.gpus).toEqual([0, 1, 2]);
    expect(cluster.freeWholeGpus(0)).toBe(5);
    const rack = layout.nodes[0]!.domains[1]!;
    const zone = layout.nodes[0]!.domains[0]!;
    expect(cluster.domainFree(rack)).toEqual({ wholeGpus: 29, gpus: 29, emptyNodes: 3 });
    expect(cluster.domainFree(zone).wholeGpus).toBe(61);
    expect(cluster.domainFree(layout.pools[0]!.root).wholeGpus).toBe(61);
    expect(cluster.nodesByFreeGpus(0).key(0)).toBe(5);
    expect(cluster.domainsByFreeGpus(0, 1).key(rack)).toBe(29);
    expect(cluster.checkInvariants()).toEqual([]);
    cluster.release(b);
    expect(cluster.domainFree(rack)).toEqual({ wholeGpus: 32, gpus: 32, emptyNodes: 4 });
    expect(cluster.checkInvariants()).toEqual([]);
  });

  it('packs fractions onto the fullest shared device that fits, by portion or by memory', () => {
    const cluster = makeCluster({ gpu: [nodes(1, { gpu: { model: 'H100-SXM-80GB', count: 2 } })] });
    const half = allocated(cluster.allocate(0, portion(0.5)));
    const quarter = allocated(cluster.allocate(0, portion(0.25)));
    expect(quarter.gpus).toEqual(half.gpus);
    // 40 GiB of an 80 GiB device is half of it: no room left on device 0, so device 1.
    const byMemory = allocated(cluster.allocate(0, pod({ kind: 'memory', bytes: 40 * GIB })));
    expect(byMemory.gpus).toEqual([1]);
    expect(byMemory.unitsPerGpu).toBe(GPU_UNITS / 2);
    expect(allocated(cluster.allocate(0, portion(0.25))).gpus).toEqual([0]);
    expect(cluster.freeWholeGpus(0)).toBe(0);
    expect(cluster.nodesWithSharedGpus(0).has(0)).toBe(true);
    expect(cluster.allocate(0, devices(1))).toEqual({ ok: false, reason: 'gpu' });
    expect(cluster.allocate(0, pod({ kind: 'memory', bytes: 41 * GIB }))).toEqual({ ok: false, reason: 'gpu-memory' });
    expect(cluster.nodeFree(0).gpus).toBeCloseTo(0.5);
    expect(cluster.checkInvariants()).toEqual([]);
  });

  it('splits thirds exactly: three fit on one device', () => {
    const cluster = makeCluster({ gpu: [nodes(1, { gpu: { model: 'A100-SXM-80GB', count: 1 } })] });
    for (let i = 0; i < 3; i++) allocated(cluster.allocate(0, portion(1 / 3)));
    expect(cluster.allocate(0, portion(0.01)).ok).toBe(false);
    expect(cluster.checkInvariants()).toEqual([]);
  });

  it('says which resource is short', () => {
    const cluster = makeCluster({ gpu: [nodes(1, { cpuMillis: 4000, memoryBytes: 8 * GIB })] });
    expect(cluster.allocate(0, pod({ kind: 'none' }, 5000))).toEqual({ ok: false, reason: 'cpu' });
    expect(cluster.allocate(0, pod({ kind: 'none' }, 1000, 9 * GIB))).toEqual({ ok: false, reason: 'memory' });
    expect(cluster.allocate(0, devices(9))).toEqual({ ok: false, reason: 'gpu' });
    expect(cluster.checkInvariants()).toEqual([]);
  });

  it('refuses a double release without changing anything', () => {
    const cluster = makeCluster({ gpu: [nodes(1)] });
    const b = allocated(cluster.allocate(0, devices(2)));
    cluster.release(b);
    expect(() => cluster.release(b)).toThrow(/only 0 in use/);
    expect(cluster.freeWholeGpus(0)).toBe(8);
    expect(cluster.checkInvariants()).toEqual([]);
  });

  it('takes a down node out of every index and aggregate, and puts it back when it returns', () => {
    const cluster = makeCluster({ gpu: [nodes(2, { topology: { rack: 2 } })] }, ['rack']);
    const rack = cluster.layout.nodes[0]!.domains[0]!;
    const b = allocated(cluster.allocate(1, devices(2)));
    cluster.setReady(1, false);
    expect(cluster.allocate(1, devices(1))).toEqual({ ok: false, reason: 'node-not-ready' });
    expect(cluster.nodesByFreeGpus(0).has(1)).toBe(false);
    expect(cluster.domainFree(rack).wholeGpus).toBe(8);
    expect(cluster.checkInvariants()).toEqual([]);
    cluster.release(b); // the workloads release what ran on the failed node
    expect(cluster.domainFree(rack).wholeGpus).toBe(8);
    cluster.setReady(1, true);
    expect(cluster.domainFree(rack).wholeGpus).toBe(16);
    expect(cluster.checkInvariants()).toEqual([]);
  });

  it('clones: changes to the copy leave the original as it was', () => {
    const cluster = makeCluster({ gpu: [nodes(2, { topology: { rack: 2 } })] }, ['rack']);
    allocated(cluster.allocate(0, devices(4)));
    const copy = cluster.clone();
    allocated(copy.allocate(0, devices(4)));
    copy.setReady(1, false);
    expect(cluster.freeWholeGpus(0)).toBe(4);
    expect(cluster.isReady(1)).toBe(true);
    expect(cluster.nodesByFreeGpus(0).key(0)).toBe(4);
    expect(cluster.checkInvariants()).toEqual([]);
    expect(copy.checkInvariants()).toEqual([]);
  });

  it('keeps every invariant under random allocations, releases and faults, and returns to empty', () => {
    const request = fc.oneof(
      fc.integer({ min: 1, max: 8 }).map(devices),
      fc.constantFrom(0.1, 0.25, 1 / 3, 0.5, 0.75).map(portion),
      fc.integer({ min: 1, max: 80 }).map((g) => pod({ kind: 'memory', bytes: g * GIB })),
    );
    const op = fc.oneof(
      fc.record({ kind: fc.constant('alloc' as const), node: fc.nat(5), request }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('fault' as const), node: fc.nat(5), ready: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const cluster = makeCluster(
          { a: [nodes(4, { topology: { rack: 2 } })], b: [nodes(2, { gpu: { model: 'L40S-48GB', count: 4 } })] },
          ['rack'],
        );
        const live: Binding[] = [];
        for (const o of ops) {
          if (o.kind === 'alloc') {
            const r = cluster.allocate(o.node, o.request);
            if (r.ok) live.push(r.binding);
          } else if (o.kind === 'release' && live.length > 0) {
            cluster.release(live.splice(o.pick % live.length, 1)[0]!);
          } else if (o.kind === 'fault') {
            cluster.setReady(o.node, o.ready);
          }
          expect(cluster.checkInvariants()).toEqual([]);
        }
        for (const b of live) cluster.release(b);
        for (let n = 0; n < 6; n++) cluster.setReady(n, true);
        expect(cluster.checkInvariants()).toEqual([]);
        expect(cluster.domainFree(cluster.layout.pools[0]!.root).wholeGpus).toBe(32);
        expect(cluster.domainFree(cluster.layout.pools[1]!.root).gpus).toBe(8);
      }),
      { numRuns: 150 },
    );
  });

  it('undoes a trial exactly: figures, and the order of every index bucket (the tie-break order)', () => {
    const request = fc.oneof(fc.integer({ min: 1, max: 8 }).map(devices), fc.constantFrom(0.25, 0.5).map(portion));
    const op = fc.oneof(
      fc.record({ kind: fc.constant('alloc' as const), node: fc.nat(5), request }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.array(op, { maxLength: 40 }), fc.nat(), (before, trial, cut) => {
        const cluster = makeCluster({ a: [nodes(6, { topology: { rack: 2 } })] }, ['rack']);
        const live: Binding[] = [];
        const run = (o: (typeof before)[number]): void => {
          if (o.kind === 'alloc') {
            const r = cluster.allocate(o.node, o.request);
            if (r.ok) live.push(r.binding);
          } else if (live.length > 0) cluster.release(live.splice(o.pick % live.length, 1)[0]!);
        };
        before.forEach(run);
        cluster.beginTrial();
        const at = cut % (trial.length + 1);
        trial.slice(0, at).forEach(run);
        const middle = fingerprint(cluster);
        const mark = cluster.mark();
        trial.slice(at).forEach(run);
        cluster.undoTo(mark);
        expect(fingerprint(cluster)).toEqual(middle);
        cluster.undoTo({ applied: 0, moves: 0 });
        cluster.endTrial();
        expect(cluster.checkInvariants()).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});

/** Every figure and the order of every index, as placement reads them. */
function fingerprint(cluster: ReturnType<typeof makeCluster>): unknown {
  const { layout } = cluster;
  const buckets = (index: { maxKey: number; members(key: number): Iterable<number> }) =>
    Array.from({ length: index.maxKey + 1 }, (_, k) => [...index.members(k)]);
  return {
    nodes: layout.nodes.map((n) => cluster.nodeFree(n.index)),
    domains: layout.domains.map((d) => cluster.domainFree(d.id)),
    pools: layout.pools.map((p) => ({
      nodes: buckets(cluster.nodesByFreeGpus(p.index)),
      shared: buckets(cluster.nodesWithSharedGpus(p.index)),
      levels: layout.levels.map((_, l) => [
        buckets(cluster.domainsByFreeGpus(p.index, l)),
        buckets(cluster.domainsByEmptyNodes(p.index, l)),
      ]),
    })),
  };
}
