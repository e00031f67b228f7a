import type { ClusterState, FitFailure, NodeChanges, PodResources } from '../cluster/index.ts';
import type { EligibilityCache, PoolEligibility } from './eligibility.ts';
import type { GangPod } from './gang.ts';

/** A node's verdict for a pod, as diagnosis counts it: refused by a filter, or what fitFailure says. */
export const VERDICTS = ['fits', 'node-not-ready', 'gpu', 'gpu-memory', 'cpu', 'memory'] as const satisfies readonly (
  FitFailure | 'fits'
)[];
export type Verdict = (typeof VERDICTS)[number];
const REFUSED = 255;

/** How many nodes of a pool refuse a pod for each reason: filter refusals by their words, and resource verdicts. */
export interface PoolTally {
  readonly refused: ReadonlyMap<string, number>;
  readonly verdicts: Readonly<Record<Verdict, number>>;
}

/**
 * Why-not counts over a whole pool, kept per pod shape and brought up to date from the pool's change log instead
 * of asking every node again: a diagnosis in a contended pool of thousands of nodes then costs what changed since
 * the last one. The counts equal a fresh scan at every call.
 */
export class FitTallies {
  private readonly tallies = new Map<PoolEligibility, Map<string, Tally>>();

  constructor(
    private readonly cluster: ClusterState,
    private readonly eligibility: EligibilityCache,
  ) {}

  of(pod: GangPod, pool: number): PoolTally {
    const eligible = this.eligibility.forPod(pod, pool);
    let byResources = this.tallies.get(eligible);
    if (byResources === undefined) this.tallies.set(eligible, (byResources = new Map()));
    const key = resourcesKey(pod.resources);
    let tally = byResources.get(key);
    if (tally === undefined) {
      tally = new Tally(this.cluster, this.eligibility, pod, pool, eligible);
      byResources.set(key, tally);
    }
    tally.sync();
    return tally;
  }
}

class Tally implements PoolTally {
  readonly refused = new Map<string, number>();
  readonly verdicts = noVerdicts();
  /** Per node of the cluster: its verdict's index in VERDICTS, or REFUSED. */
  private readonly verdictOf: Uint8Array;
  private readonly changes: NodeChanges;
  private epoch = -1;
  private seen = 0;

  constructor(
    private readonly cluster: ClusterState,
    eligibility: EligibilityCache,
    private readonly pod: GangPod,
    private readonly pool: number,
    private readonly eligible: PoolEligibility,
  ) {
    this.verdictOf = new Uint8Array(cluster.layout.nodes.length);
    this.changes = cluster.changesIn(pool);
    // Filters look at labels and taints, which never change: refusals are counted once.
    for (const node of cluster.layout.pools[pool]!.nodes) {
      if (eligible.allowed === null || eligible.allowed[node] === 1) continue;
      this.verdictOf[node] = REFUSED;
      const reason = refusalReason(eligibility, pod, pool, node);
      this.refused.set(reason, (this.refused.get(reason) ?? 0) + 1);
    }
  }

  /** Re-asks the nodes changed since the last call (all of them the first time, or after the log restarted). */
  sync(): void {
    const log = this.changes;
    if (this.epoch !== log.epoch) {
      for (const v of VERDICTS) this.verdicts[v] = 0;
      for (const node of this.cluster.layout.pools[this.pool]!.nodes) {
        if (this.verdictOf[node] === REFUSED) continue;
        const verdict = this.verdict(node);
        this.verdictOf[node] = verdict;
        this.verdicts[VERDICTS[verdict]!]++;
      }
      this.epoch = log.epoch;
      this.seen = log.nodes.length;
      return;
    }
    for (; this.seen < log.nodes.length; this.seen++) {
      const node = log.nodes[this.seen]!;
      const before = this.verdictOf[node]!;
      if (before === REFUSED) continue;
      const after = this.verdict(node);
      if (after === before) continue;
      this.verdicts[VERDICTS[before]!]--;
      this.verdicts[VERDICTS[after]!]++;
      this.verdictOf[node] = after;
    }
  }

  private verdict(node: number): number {
    return VERDICTS.indexOf(this.cluster.fitFailure(node, this.pod.resources) ?? 'fits');
  }
}

/**
 * The verdicts over a few nodes (a domain, one node), asked node by node; a whole pool's are kept up to date in
 * FitTallies instead.
 */
export function scanTally(
  cluster: ClusterState,
  eligibility: EligibilityCache,
  pod: GangPod,
  pool: number,
  nodes: readonly number[],
): PoolTally {
  const allowed = eligibility.forPod(pod, pool).allowed;
  const refused = new Map<string, number>();
  const verdicts = noVerdicts();
  for (const node of nodes) {
    if (allowed !== null && allowed[node] !== 1) {
      const reason = refusalReason(eligibility, pod, pool, node);
      refused.set(reason, (refused.get(reason) ?? 0) + 1);
    } else {
      verdicts[cluster.fitFailure(node, pod.resources) ?? 'fits']++;
    }
  }
  return { refused, verdicts };
}

function noVerdicts(): Record<Verdict, number> {
  return Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
}

/** Why the pod's filters refuse the node, in diagnosis's words. */
export function refusalReason(eligibility: EligibilityCache, pod: GangPod, pool: number, node: number): string {
  return eligibility.reasonFor(pod, pool, node) ?? 'were refused by a filter';
}

function resourcesKey({ gpu, cpuMillis, memoryBytes }: PodResources): string {
  const amount =
    gpu.kind === 'devices' ? gpu.count : gpu.kind === 'portion' ? gpu.portion : gpu.kind === 'memory' ? gpu.bytes : 0;
  return `${gpu.kind}|${amount}|${cpuMillis}|${memoryBytes}`;
}
