import {
  GPU_UNITS,
  isPolicyPlacement,
  NODE_LABELS,
  type Binding,
  type ClusterState,
  type PodResources,
} from '../cluster/index.ts';
import type { PolicyName } from '../fgd/policies/index.ts';
import type { EligibilityCache, PoolEligibility } from './eligibility.ts';
import { FitTallies, scanTally, VERDICTS, type Verdict } from './fit-tally.ts';
import type { GangNeed, GangPod, GangSpec } from './gang.ts';
import { hash32, PolicyPlacer, TieBreakOrder, type PolicyChoice } from './policy-placement.ts';
import { poolMaxDeviceMemory, quotaUnits, wholeDevices } from './requests.ts';
import type { SchedulerConfig } from './scheduler-config.ts';
import type { Statement } from './statement.ts';
import { WorkloadShapes } from './workload-shapes.ts';

/** Where one attempt may put a gang: the whole pool, one topology domain, or one node. */
type NodeSet =
  | { readonly kind: 'pool' }
  | { readonly kind: 'domain'; readonly domain: number; readonly level: number }
  | { readonly kind: 'node'; readonly node: number };

export type PlacementResult = { ok: true; bindings: Binding[] } | { ok: false; message: string };

/** Domains up to this size are scanned node by node; bigger ones are searched through the pool's index. */
const SCAN_LIMIT = 64;

/**
 * Places a gang in one pool, whole or not at all: tries node sets from the tightest topology domain that can
 * hold it outwards (least free capacity first: least fragmentation), and inside a set puts the largest pods
 * first, each on the node the pool's strategy scores best (binpack: fullest that fits; spread: emptiest; an FGD
 * policy: its score, see `policy-placement.ts`). Everything it binds goes through the statement, and is rolled
 * back if the gang does not fit.
 */
export class GangPlacer {
  /** The typical pods of the gangs submitted so far, for the pools an FGD policy places. */
  readonly shapes: WorkloadShapes;
  private readonly policies: PolicyPlacer;
  private readonly tallies: FitTallies;

  /**
   * Preferred topology tries at most `preferredDomainTries` domains per level, looking at no more than
   * `preferredDomainScan` domains to find them, before widening; a required level looks at every domain.
   */
  constructor(
    private readonly cluster: ClusterState,
    private readonly eligibility: EligibilityCache,
    private readonly budgets: Pick<SchedulerConfig, 'preferredDomainTries' | 'preferredDomainScan'>,
    shapes?: WorkloadShapes,
  ) {
    this.shapes = shapes ?? new WorkloadShapes(cluster);
    this.policies = new PolicyPlacer(cluster, this.shapes);
    this.tallies = new FitTallies(cluster, eligibility);
  }

  /** `explain: false` skips the diagnosis of a failure (trial placements of reclaim and preempt never show it). */
  place(gang: GangSpec, pool: number, statement: Statement, explain = true): PlacementResult {
    const eligible = gang.pods.map((pod) => this.eligibility.forPod(pod, pool));
    const blocked = eligible.findIndex((e) => e.allowedCount === 0);
    if (blocked >= 0) return { ok: false, message: this.diagnose(gang, pool, blocked, 0, { kind: 'pool' }) };
    const order = podOrder(gang.pods);
    const need = this.need(gang, pool);
    const sets = this.nodeSets(gang, pool, need);
    if (!sets.ok) return { ok: false, message: sets.message };
    const placement = this.cluster.layout.pools[pool]!.placement;
    const policy = isPolicyPlacement(placement) ? placement : undefined;
    let bestPlaced = -1;
    let message = 'no node set of the pool can hold the gang';
    for (const set of sets.sets) {
      const checkpoint = statement.checkpoint();
      const bindings = new Array<Binding>(gang.pods.length);
      let placed = 0;
      for (const p of order) {
        const resources = gang.pods[p]!.resources;
        const choice = policy === undefined ? undefined : this.policyChoice(policy, gang, p, eligible[p]!, pool, set);
        const node = choice === undefined ? this.chooseNode(resources, eligible[p]!, pool, set) : choice.node;
        const result = node >= 0 ? statement.allocatePod(node, resources, choice?.devices) : undefined;
        if (result === undefined || !result.ok) break;
        bindings[p] = result.binding;
        placed++;
      }
      if (placed === gang.pods.length) return { ok: true, bindings };
      // Explain the attempt that got furthest, in its own state (before its pods are rolled back).
      if (explain && placed > bestPlaced) {
        bestPlaced = placed;
        message = this.diagnose(gang, pool, order[placed]!, placed, set);
      }
      statement.rollback(checkpoint);
    }
    return { ok: false, message };
  }

  /**
   * Whether the pool has, in all, the free capacity the gang needs (whole devices, GPU units, empty nodes): when it
   * has not, no placement can succeed, whatever the search would try.
   */
  mightFit(need: GangNeed, pool: number): boolean {
    const root = this.cluster.layout.pools[pool]!.root;
    return (
      this.cluster.domainFreeGpuUnits(root) >= need.units &&
      this.cluster.domainFreeWholeGpus(root) >= need.wholeGpus &&
      this.cluster.domainEmptyNodeCount(root) >= need.fullNodes
    );
  }

  /** What the gang needs in all in the pool (for `mightFit`; the scheduler keeps it with the gang's facts). */
  need(gang: GangSpec, pool: number): GangNeed {
    const layout = this.cluster.layout;
    const memory = poolMaxDeviceMemory(layout, pool);
    const perNode = layout.pools[pool]!.gpusPerNodeMax;
    let wholeGpus = 0;
    let units = 0;
    let fullNodes = 0;
    for (const pod of gang.pods) {
      const whole = wholeDevices(pod.resources.gpu);
      wholeGpus += whole;
      units += quotaUnits(pod.resources.gpu, memory);
      if (whole > 0 && whole === perNode) fullNodes++;
    }
    return { wholeGpus, units, fullNodes };
  }

  /** Candidate node sets, tightest first. A required topology key that is not a level of the cluster fails. */
  private nodeSets(
    gang: GangSpec,
    pool: number,
    need: GangNeed,
  ): { ok: true; sets: Iterable<NodeSet> } | { ok: false; message: string } {
    const { layout } = this.cluster;
    const topology = gang.topology;
    if (topology === undefined && gang.pods.length === 1) return { ok: true, sets: [{ kind: 'pool' }] };
    if (topology?.key === NODE_LABELS.hostname)
      return { ok: true, sets: this.singleNodes(pool, need, !topology.required) };
    const level = topology === undefined ? -1 : layout.spec.topologyLevels.findIndex((l) => l.label === topology.key);
    if (topology?.required && level < 0) {
      const known = layout.spec.topologyLevels.map((l) => l.label).join(', ') || 'none';
      return {
        ok: false,
        message: `topology key ${topology.key} is not a topology level of this cluster (levels: ${known})`,
      };
    }
    const outermost = topology?.required ? level : 0;
    return { ok: true, sets: this.domains(pool, need, outermost, topology?.required === true ? level : -1) };
  }

  /**
   * Candidates are collected per level before any is tried: trying one moves domains between index buckets
   * (allocate, then roll back), which would derail a live walk of the index.
   */
  private *domains(pool: number, need: GangNeed, outermost: number, requiredLevel: number): Generator<NodeSet> {
    const levels = this.cluster.layout.levels.length;
    for (let level = levels - 1; level >= outermost; level--) {
      const limit = level === requiredLevel ? Number.POSITIVE_INFINITY : this.budgets.preferredDomainTries;
      // Search by whichever resource binds: whole nodes when the gang needs them, else free devices.
      const byEmpty = need.fullNodes > 0;
      const index = byEmpty
        ? this.cluster.domainsByEmptyNodes(pool, level)
        : this.cluster.domainsByFreeGpus(pool, level);
      const candidates: number[] = [];
      let budget = level === requiredLevel ? Number.POSITIVE_INFINITY : this.budgets.preferredDomainScan;
      const from = byEmpty ? need.fullNodes : Math.floor(need.units / GPU_UNITS);
      for (
        let key = index.nextKey(from);
        key >= 0 && candidates.length < limit && budget > 0;
        key = index.nextKey(key + 1)
      ) {
        for (
          let domain = index.first(key);
          domain >= 0 && candidates.length < limit && budget-- > 0;
          domain = index.after(domain)
        ) {
          const cluster = this.cluster;
          if (
            cluster.domainFreeGpuUnits(domain) >= need.units &&
            cluster.domainFreeWholeGpus(domain) >= need.wholeGpus &&
            cluster.domainEmptyNodeCount(domain) >= need.fullNodes
          ) {
            candidates.push(domain);
          }
        }
      }
      for (const domain of candidates) yield { kind: 'domain', domain, level };
    }
    if (requiredLevel < 0) yield { kind: 'pool' };
  }

  private *singleNodes(pool: number, need: GangNeed, thenPool: boolean): Generator<NodeSet> {
    const index = this.cluster.nodesByFreeGpus(pool);
    const candidates: number[] = [];
    for (let key = index.nextKey(need.wholeGpus); key >= 0; key = index.nextKey(key + 1)) {
      for (let node = index.first(key); node >= 0; node = index.after(node)) candidates.push(node);
    }
    for (const node of candidates) yield { kind: 'node', node };
    if (thenPool) yield { kind: 'pool' };
  }

  /** An FGD policy's node and devices for pod `p`, among the set's nodes in the policies' tie-break order. */
  private policyChoice(
    policy: PolicyName,
    gang: GangSpec,
    p: number,
    eligible: PoolEligibility,
    pool: number,
    set: NodeSet,
  ): PolicyChoice {
    const { layout } = this.cluster;
    const order = TieBreakOrder.of(layout);
    const nodes =
      set.kind === 'node'
        ? [set.node]
        : set.kind === 'pool'
          ? order.nodes(-1 - pool, layout.pools[pool]!.nodes)
          : order.nodes(set.domain, layout.domains[set.domain]!.nodes);
    const resources = gang.pods[p]!.resources;
    return this.policies.choose(policy, pool, resources, eligible.allowed, nodes, hash32(`${gang.id}/${p}`));
  }

  /** The best node of the set for one pod, or -1. */
  private chooseNode(resources: PodResources, eligible: PoolEligibility, pool: number, set: NodeSet): number {
    const allowed = eligible.allowed;
    if (set.kind === 'node') {
      return (allowed === null || allowed[set.node] === 1) && this.cluster.fitFailure(set.node, resources) === null
        ? set.node
        : -1;
    }
    const { layout } = this.cluster;
    if (set.kind === 'domain' && layout.domains[set.domain]!.nodes.length <= SCAN_LIMIT) {
      return this.scanDomain(
        resources,
        allowed,
        layout.domains[set.domain]!.nodes,
        layout.pools[pool]!.placement === 'spread',
      );
    }
    const gpu = resources.gpu;
    const fractional = gpu.kind === 'portion' || gpu.kind === 'memory';
    if (fractional) {
      // A device already shared that has room beats opening a fresh one: whole devices stay whole.
      const shared = this.cluster.nodesWithSharedGpus(pool);
      for (let node = shared.first(0); node >= 0; node = shared.after(node))
        if (this.hasRoomOnSharedDevice(node, resources) && this.admits(node, resources, allowed, set)) return node;
    }
    const index = this.cluster.nodesByFreeGpus(pool);
    const need = fractional ? 1 : wholeDevices(gpu);
    if (layout.pools[pool]!.placement === 'spread') {
      for (let key = index.prevKey(index.maxKey); key >= need; key = index.prevKey(key - 1)) {
        for (let node = index.first(key); node >= 0; node = index.after(node))
          if (this.admits(node, resources, allowed, set)) return node;
      }
      return -1;
    }
    for (let key = index.nextKey(need); key >= 0; key = index.nextKey(key + 1)) {
      for (let node = index.first(key); node >= 0; node = index.after(node))
        if (this.admits(node, resources, allowed, set)) return node;
    }
    return -1;
  }

  /**
   * Whether the node may take the pod: allowed for the gang, inside the set, and with room. A method, not a closure
   * made per call: under tsx (esbuild keepNames) every named closure costs a defineProperty when it is made.
   */
  private admits(node: number, resources: PodResources, allowed: Uint8Array | null, set: NodeSet): boolean {
    return (
      (allowed === null || allowed[node] === 1) &&
      (set.kind !== 'domain' || this.cluster.layout.nodes[node]!.domains[set.level] === set.domain) &&
      this.cluster.fitFailure(node, resources) === null
    );
  }

  /** Small sets: score every node. Binpack takes the fewest free devices, spread the most; shared room first. */
  private scanDomain(
    resources: PodResources,
    allowed: Uint8Array | null,
    nodes: readonly number[],
    spread: boolean,
  ): number {
    let best = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const node of nodes) {
      if ((allowed !== null && allowed[node] !== 1) || this.cluster.fitFailure(node, resources) !== null) continue;
      const free = this.cluster.freeWholeGpus(node);
      const sharedBonus = this.hasRoomOnSharedDevice(node, resources) ? 1000 : 0;
      const score = sharedBonus + (spread ? free : -free);
      if (score > bestScore) {
        best = node;
        bestScore = score;
      }
    }
    return best;
  }

  private hasRoomOnSharedDevice(node: number, resources: PodResources): boolean {
    const gpu = resources.gpu;
    if (gpu.kind !== 'portion' && gpu.kind !== 'memory') return false;
    const units = this.cluster.unitsFor(this.cluster.layout.nodes[node]!, gpu);
    for (const used of this.cluster.deviceUsage(node)) if (used > 0 && used + units <= GPU_UNITS) return true;
    return false;
  }

  /**
   * Why the gang does not fit, in KAI's words: how many pods could be placed, and for the pod that could not,
   * how many nodes refused it for which reason.
   */
  private diagnose(gang: GangSpec, pool: number, failedPod: number, placed: number, set: NodeSet): string {
    const { layout } = this.cluster;
    const pod = gang.pods[failedPod]!;
    const tally =
      set.kind === 'pool'
        ? this.tallies.of(pod, pool)
        : scanTally(
            this.cluster,
            this.eligibility,
            pod,
            pool,
            set.kind === 'node' ? [set.node] : layout.domains[set.domain]!.nodes,
          );
    const counts = new Map(tally.refused);
    for (const verdict of VERDICTS) {
      const n = tally.verdicts[verdict];
      if (n > 0) counts.set(RESOURCE_WORDS[verdict], (counts.get(RESOURCE_WORDS[verdict]) ?? 0) + n);
    }
    // A plain comparison, not localeCompare: the order must not depend on the machine's locale.
    const details = [...counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([reason, n]) => `${n} node(s) ${reason}`);
    const why = details.length > 0 ? details.join(', ') : 'the pool has no nodes';
    const where =
      set.kind === 'domain'
        ? ` in ${layout.levels[set.level]} ${layout.domains[set.domain]!.name}`
        : set.kind === 'node'
          ? ` on node ${layout.nodes[set.node]!.name}`
          : '';
    if (gang.pods.length === 1) return `Resources were not found for pod ${podName(gang, pod)}${where} due to: ${why}.`;
    return `Resources were found for ${placed} pods while ${gang.pods.length} are required for gang scheduling${where}. Additional pods cannot be scheduled due to: ${why}.`;
  }
}

const RESOURCE_WORDS: Record<Verdict, string> = {
  fits: 'were not tried (the gang must stay together)',
  'node-not-ready': 'were not ready',
  gpu: "didn't have enough resources: GPUs",
  'gpu-memory': "didn't have enough resources: GPU memory",
  cpu: "didn't have enough resources: CPU cores",
  memory: "didn't have enough resources: CPU memory",
};

function podName(gang: GangSpec, pod: GangPod): string {
  return `${gang.workload ?? gang.id}/${pod.role}`;
}

/** Largest GPU requests first: the hardest pods choose while there is most choice. Stable by pod index. */
function podOrder(pods: readonly GangPod[]): number[] {
  const weight = (pod: GangPod): number => quotaUnits(pod.resources.gpu, 80 * 2 ** 30);
  return pods.map((_, i) => i).sort((a, b) => weight(pods[b]!) - weight(pods[a]!) || a - b);
}
