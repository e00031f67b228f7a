/**
 * Node and device choice by an FGD placement policy (`sim/fgd/policies`), for pools whose `placement` names one:
 * every node of the set that the pod may use and fits on is scored, the highest final score wins (normalised
 * where the policy says so), and ties go to the node that comes first in a fixed pseudo-random order of the
 * node names, as the reference's random name prefixes do. The policy also picks the node's devices.
 */
import type { ClusterLayout, ClusterState, PodResources } from '../cluster/index.ts';
import { Random } from '../engine/random.ts';
import { POLICIES, type PolicyContext, type PolicyName } from '../fgd/policies/index.ts';
import { pick } from '../fgd/run.ts';
import { ClusterNodeView, policyPod } from './policy-view.ts';
import type { WorkloadShapes } from './workload-shapes.ts';

export interface PolicyChoice {
  /** -1 when no node of the set takes the pod. */
  readonly node: number;
  readonly devices?: readonly number[];
}

const NONE: PolicyChoice = { node: -1 };

export class PolicyPlacer {
  private readonly view: ClusterNodeView;
  private candidates = new Int32Array(0);
  private scores = new Float64Array(0);

  constructor(
    private readonly cluster: ClusterState,
    private readonly shapes: WorkloadShapes,
  ) {
    this.view = new ClusterNodeView(cluster);
  }

  /**
   * The policy's node among `nodes` (a node set, in tie-break order) and its devices there. `seed` makes the
   * random policy's draws a function of the pod alone, so retries, trial placements and forks do not shift them.
   */
  choose(
    name: PolicyName,
    pool: number,
    resources: PodResources,
    allowed: Uint8Array | null,
    nodes: readonly number[],
    seed: number,
  ): PolicyChoice {
    const policy = POLICIES[name];
    const context: PolicyContext = { typical: this.shapes.typicalPods(pool), rng: new Random(seed) };
    if (this.candidates.length < nodes.length) {
      this.candidates = new Int32Array(nodes.length);
      this.scores = new Float64Array(nodes.length);
    }
    const { cluster, view } = this;
    let count = 0;
    for (const node of nodes) {
      if ((allowed !== null && allowed[node] !== 1) || cluster.fitFailure(node, resources) !== null) continue;
      this.candidates[count] = node;
      this.scores[count++] = policy.score(
        view.at(node),
        policyPod(cluster, cluster.layout.nodes[node]!, resources),
        context.typical,
      );
    }
    if (count === 0) return NONE;
    // One feasible node is taken without scoring, as kube-scheduler does (and without a draw).
    const node = this.candidates[count === 1 ? 0 : pick(policy, this.scores, count, context)]!;
    const devices = policy.gpus(view.at(node), policyPod(cluster, cluster.layout.nodes[node]!, resources), context);
    return { node, devices };
  }
}

/**
 * The node lists of a layout's pools and domains in tie-break order: by a hash of the node name (a fixed
 * pseudo-random permutation, the same on every run and every fork), then by name. Built once per layout.
 */
export class TieBreakOrder {
  private readonly rank: Float64Array;
  private readonly cache = new Map<number, readonly number[]>();

  constructor(private readonly layout: ClusterLayout) {
    const order = layout.nodes
      .map((n) => ({ index: n.index, hash: hash32(n.name), name: n.name }))
      .sort((a, b) => a.hash - b.hash || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.rank = new Float64Array(layout.nodes.length);
    order.forEach((n, i) => (this.rank[n.index] = i));
  }

  /** A pool's nodes (key: -1 − pool) or a domain's (key: its id), sorted. */
  nodes(key: number, members: readonly number[]): readonly number[] {
    let sorted = this.cache.get(key);
    if (sorted === undefined) {
      sorted = [...members].sort((a, b) => this.rank[a]! - this.rank[b]!);
      this.cache.set(key, sorted);
    }
    return sorted;
  }

  private static readonly byLayout = new WeakMap<ClusterLayout, TieBreakOrder>();

  static of(layout: ClusterLayout): TieBreakOrder {
    let order = TieBreakOrder.byLayout.get(layout);
    if (order === undefined) TieBreakOrder.byLayout.set(layout, (order = new TieBreakOrder(layout)));
    return order;
  }
}

/** FNV-1a with murmur3's finaliser: a well-mixed 32-bit hash of a string. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
