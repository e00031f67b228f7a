/**
 * One run of the reference simulator (`SchedulePods`): pods strictly one at a time in arrival order, each placed
 * on the best-scoring feasible node or dropped (no retries, no departures), with the cluster's allocation and
 * fragmentation recorded after every pod, failed ones included.
 */
import type { Random } from '../engine/random.ts';
import type { OpenbNode } from '../import/openb.ts';
import { nodeFragAmount } from './fragmentation.ts';
import { FgdNode } from './node-state.ts';
import { acceptsGpuType, totalMilliGpu, type PodRequest } from './pod-request.ts';
import type { Policy, PolicyContext } from './policies/index.ts';
import type { TypicalPod } from './typical-pods.ts';

/** Per pod event, in arrival order. */
export interface RunTrace {
  /** Σ GPU milli of the pods arrived so far. */
  readonly arrivedMilli: Float64Array;
  /** GPU milli allocated after the pod. */
  readonly usedMilli: Float64Array;
  /** 100 · Σ F(n) / Σ idle GPU milli after the pod. */
  readonly fragRatio: Float64Array;
  /** The index (in the input's `nodes`) of the node each pod went to; -1 when it found none. */
  readonly chosen: Int32Array;
  readonly placed: number;
  readonly failed: number;
}

export interface RunInput {
  /** The cluster's nodes; `prefixes[i]` is node i's random name prefix, the tie-breaker. */
  readonly nodes: readonly OpenbNode[];
  readonly prefixes: readonly number[];
  readonly pods: readonly PodRequest[];
  readonly policy: Policy;
  readonly typical: readonly TypicalPod[];
  readonly rng: Random;
  /** How many distinct pod keys there are (the score cache's width). */
  readonly keyCount: number;
}

export function runPods(input: RunInput): RunTrace {
  const order = prefixOrder(input.nodes, input.prefixes);
  const nodes = order.map((i) => new FgdNode(input.nodes[i]!));
  const { policy, typical, pods } = input;
  const context: PolicyContext = { typical, rng: input.rng };
  const cache = new ScoreCache(nodes.length, input.keyCount);
  const frag = nodes.map((n) => nodeFragAmount(n, typical));
  let fragTotal = frag.reduce((a, b) => a + b, 0);
  let idleTotal = nodes.reduce((sum, n) => sum + n.gpuLeftTotal(), 0);
  const trace = { arrivedMilli: new Float64Array(pods.length), usedMilli: new Float64Array(pods.length) };
  const fragRatio = new Float64Array(pods.length);
  const placements = new Int32Array(pods.length).fill(-1);
  const feasible = new Int32Array(nodes.length);
  const scores = new Float64Array(nodes.length);
  let arrived = 0;
  let used = 0;
  let placed = 0;
  pods.forEach((pod, p) => {
    arrived += totalMilliGpu(pod);
    let count = 0;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (node.memoryLeft < pod.memoryMib || node.podsLeft <= 0) continue;
      const score = cache.get(i, node, pod, policy, typical);
      if (score < 0) continue;
      feasible[count] = i;
      scores[count++] = score;
    }
    const chosen = count === 0 ? -1 : count === 1 ? feasible[0]! : feasible[pick(policy, scores, count, context)]!;
    if (chosen >= 0) {
      const node = nodes[chosen]!;
      const idleBefore = node.gpuLeftTotal();
      node.bind(pod, policy.gpus(node, pod, context));
      const after = nodeFragAmount(node, typical);
      fragTotal += after - frag[chosen]!;
      frag[chosen] = after;
      used += idleBefore - node.gpuLeftTotal();
      idleTotal -= idleBefore - node.gpuLeftTotal();
      placements[p] = order[chosen]!;
      placed++;
    }
    trace.arrivedMilli[p] = arrived;
    trace.usedMilli[p] = used;
    fragRatio[p] = idleTotal > 0 ? (100 * fragTotal) / idleTotal : 0;
  });
  return { ...trace, fragRatio, chosen: placements, placed, failed: pods.length - placed };
}

/** The index (among the feasible) of the winner: the highest final score, ties to the smallest prefix. */
export function pick(policy: Policy, scores: Float64Array, count: number, context: PolicyContext): number {
  if (policy.prefer) return policy.prefer(count, context.rng);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < count; i++) {
    min = Math.min(min, scores[i]!);
    max = Math.max(max, scores[i]!);
  }
  let best = 0;
  let bestScore = -Infinity;
  for (let i = 0; i < count; i++) {
    const raw = scores[i]!;
    // NormalizeScore in integers; equal raw scores everywhere leave every node at 0.
    const score = !policy.normalize ? raw : max === min ? 0 : Math.trunc(((raw - min) * 100) / (max - min));
    if (score > bestScore) [best, bestScore] = [i, score];
  }
  return best;
}

/** The node indices sorted by prefixed name (`%04d-<name>`), which is the order ties are broken in. */
function prefixOrder(specs: readonly OpenbNode[], prefixes: readonly number[]): number[] {
  return specs
    .map((spec, i) => ({ i, key: `${String(prefixes[i]).padStart(4, '0')}-${spec.name}` }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ i }) => i);
}

/**
 * Scores per (node, pod key), valid while the node's version is unchanged: a pod changes one node, so each pod
 * mostly reads scores computed for earlier pods of the same spec. -1 marks a node the filter rejects.
 */
class ScoreCache {
  private readonly values: Float64Array;
  private readonly versions: Int32Array;

  constructor(
    nodes: number,
    private readonly keys: number,
  ) {
    this.values = new Float64Array(nodes * keys);
    this.versions = new Int32Array(nodes * keys).fill(-1);
  }

  get(i: number, node: FgdNode, pod: PodRequest, policy: Policy, typical: readonly TypicalPod[]): number {
    const at = i * this.keys + pod.keyId;
    if (this.versions[at] === node.version) return this.values[at]!;
    const value = fitsCpuAndGpus(node, pod) ? policy.score(node, pod, typical) : -1;
    this.values[at] = value;
    this.versions[at] = node.version;
    return value;
  }
}

/** Open-Gpu-Share's filter and the cpu part of NodeResourcesFit (memory and pod count are checked live). */
export function fitsCpuAndGpus(node: FgdNode, pod: PodRequest): boolean {
  if (node.cpuLeft < pod.milliCpu) return false;
  if (pod.milliGpu <= 0) return true;
  if (node.gpuCount === 0 || !acceptsGpuType(pod, node.gpuType)) return false;
  return node.gpusWithAtLeast(pod.milliGpu) >= pod.gpuNumber;
}
