import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GIB, type Binding, type PodResources } from '../../sim/cluster/index.ts';
import { EligibilityCache } from '../../sim/scheduler/eligibility.ts';
import { FitTallies, refusalReason, VERDICTS, type Verdict } from '../../sim/scheduler/fit-tally.ts';
import type { GangPod } from '../../sim/scheduler/gang.ts';
import { DEFAULT_FILTERS } from '../../sim/scheduler/plugins/index.ts';
import { makeCluster, nodes } from '../support/clusters.ts';

const resources = (gpu: PodResources['gpu'], cpuMillis = 8_000): PodResources => ({
  gpu,
  cpuMillis,
  memoryBytes: 64 * GIB,
});
const PODS: GangPod[] = [
  { role: 'leader', resources: resources({ kind: 'devices', count: 4 }) },
  { role: 'leader', resources: resources({ kind: 'devices', count: 8 }, 60_000) },
  { role: 'leader', resources: resources({ kind: 'portion', portion: 0.5 }) },
  { role: 'leader', resources: resources({ kind: 'devices', count: 2 }), constraints: { nodeType: 'a100' } },
];

describe('FitTallies', () => {
  it('always equals a fresh scan of the pool, through allocations, releases, faults and undone trials', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('alloc' as const), node: fc.nat(7), gpus: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('fault' as const), node: fc.nat(7), ready: fc.boolean() }),
      fc.record({ kind: fc.constant('trial' as const), node: fc.nat(7) }),
      fc.record({ kind: fc.constant('ask' as const), pod: fc.nat(PODS.length - 1) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const cluster = makeCluster({
          a: [
            nodes(6, { labels: { 'run.ai/type': 'h100' } }),
            nodes(2, { namePrefix: 'a100-', labels: { 'run.ai/type': 'a100' } }),
          ],
        });
        const eligibility = new EligibilityCache(cluster.layout, DEFAULT_FILTERS);
        const tallies = new FitTallies(cluster, eligibility);
        const live: Binding[] = [];
        for (const o of ops) {
          if (o.kind === 'alloc') {
            const r = cluster.allocate(o.node, resources({ kind: 'devices', count: o.gpus }, 4_000));
            if (r.ok) live.push(r.binding);
          } else if (o.kind === 'release' && live.length > 0) {
            cluster.release(live.splice(o.pick % live.length, 1)[0]!);
          } else if (o.kind === 'fault') {
            cluster.setReady(o.node, o.ready);
          } else if (o.kind === 'trial') {
            cluster.beginTrial();
            cluster.allocate(o.node, resources({ kind: 'devices', count: 1 }));
            cluster.undoTo({ applied: 0, moves: 0 });
            cluster.endTrial();
          } else if (o.kind === 'ask') {
            const pod = PODS[o.pod]!;
            const tally = tallies.of(pod, 0);
            const fresh = scan(cluster, eligibility, pod);
            expect({ refused: [...tally.refused], verdicts: tally.verdicts }).toEqual(fresh);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

function scan(cluster: ReturnType<typeof makeCluster>, eligibility: EligibilityCache, pod: GangPod) {
  const allowed = eligibility.forPod(pod, 0).allowed;
  const refused = new Map<string, number>();
  const verdicts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const node of cluster.layout.pools[0]!.nodes) {
    if (allowed !== null && allowed[node] !== 1) {
      const reason = refusalReason(eligibility, pod, 0, node);
      refused.set(reason, (refused.get(reason) ?? 0) + 1);
    } else verdicts[cluster.fitFailure(node, pod.resources) ?? 'fits']++;
  }
  return { refused: [...refused], verdicts };
}
