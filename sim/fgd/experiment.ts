/**
 * The FGD paper's experiment (ATC'23, Fig. 7-style): for each policy and seed, tune the workload to 130% of the
 * cluster's GPU capacity, place it one pod at a time, and bin the allocation and fragmentation ratios by the
 * arrived demand; then the mean and standard deviation over seeds per bin.
 */
import { Random } from '../engine/random.ts';
import type { OpenbNode, OpenbPod } from '../import/openb.ts';
import { arrivalOrder, byName, permutation, TUNE_RATIO } from './arrivals.ts';
import { binTrace, MAX_BIN, type BinnedCurves } from './binning.ts';
import { PodKeys } from './pod-request.ts';
import { POLICIES, type PolicyName } from './policies/index.ts';
import { runPods } from './run.ts';
import { typicalPods, type TypicalPod } from './typical-pods.ts';

export interface ExperimentInput {
  readonly nodes: readonly OpenbNode[];
  readonly pods: readonly OpenbPod[];
  readonly policies: readonly PolicyName[];
  readonly seeds: readonly number[];
  readonly tuneRatio?: number;
}

/** Per bin over seeds; null where some seed has no value there. */
export interface CurveStats {
  readonly mean: readonly (number | null)[];
  readonly std: readonly (number | null)[];
}

export interface SeedRun extends BinnedCurves {
  readonly seed: number;
  readonly pods: number;
  readonly failed: number;
}

export interface PolicyResult {
  readonly policy: PolicyName;
  readonly allocation: CurveStats;
  readonly fragRatio: CurveStats;
  readonly seeds: readonly SeedRun[];
}

export interface ExperimentResult {
  readonly nodes: number;
  readonly gpus: number;
  readonly workloadPods: number;
  readonly typicalPods: readonly TypicalPod[];
  readonly policies: readonly PolicyResult[];
}

/** Everything a run needs that does not depend on the seed or policy. */
export interface PreparedExperiment {
  readonly nodes: readonly OpenbNode[];
  readonly keys: PodKeys;
  readonly workload: ReturnType<PodKeys['request']>[];
  readonly typical: readonly TypicalPod[];
  readonly gpus: number;
}

export function prepare(nodes: readonly OpenbNode[], pods: readonly OpenbPod[]): PreparedExperiment {
  const keys = new PodKeys();
  const workload = [...pods].sort(byName).map((p) => keys.request(p));
  const sortedNodes = [...nodes].sort(byName);
  const gpus = sortedNodes.reduce((sum, n) => sum + n.gpuCount, 0);
  return { nodes: sortedNodes, keys, workload, typical: typicalPods(workload), gpus };
}

/** One seed of one policy: the reference's Go draws in order (tune, then node prefixes, then the policy's). */
export function runSeed(prepared: PreparedExperiment, policy: PolicyName, seed: number, ratio = TUNE_RATIO): SeedRun {
  const rng = new Random(seed);
  const pods = arrivalOrder(prepared.workload, prepared.gpus * 1000, ratio, rng);
  const prefixes = permutation(prepared.nodes.length, rng);
  const trace = runPods({
    nodes: prepared.nodes,
    prefixes,
    pods,
    policy: POLICIES[policy],
    typical: prepared.typical,
    rng,
    keyCount: prepared.keys.size,
  });
  return { seed, pods: pods.length, failed: trace.failed, ...binTrace(trace, prepared.gpus, maxBin(ratio)) };
}

export function runExperiment(input: ExperimentInput): ExperimentResult {
  const prepared = prepare(input.nodes, input.pods);
  const policies = input.policies.map((policy) =>
    summarise(
      policy,
      input.seeds.map((seed) => runSeed(prepared, policy, seed, input.tuneRatio)),
    ),
  );
  return {
    nodes: prepared.nodes.length,
    gpus: prepared.gpus,
    workloadPods: prepared.workload.length,
    typicalPods: prepared.typical,
    policies,
  };
}

export function summarise(policy: PolicyName, seeds: readonly SeedRun[]): PolicyResult {
  return {
    policy,
    allocation: curveStats(seeds.map((s) => s.allocation)),
    fragRatio: curveStats(seeds.map((s) => s.fragRatio)),
    seeds,
  };
}

/** The highest bin the tuned demand reaches: 130 for the paper's 1.3. */
export function maxBin(ratio = TUNE_RATIO): number {
  return Math.max(MAX_BIN, Math.round(ratio * 100));
}

/** Mean and sample standard deviation (n − 1; 0 for one seed) per bin. */
export function curveStats(curves: readonly (readonly (number | null)[])[]): CurveStats {
  const length = Math.max(0, ...curves.map((c) => c.length));
  const mean: (number | null)[] = [];
  const std: (number | null)[] = [];
  for (let k = 0; k < length; k++) {
    const values = curves.map((c) => c[k] ?? null);
    if (values.length === 0 || values.some((v) => v === null)) {
      mean.push(null);
      std.push(null);
      continue;
    }
    const xs = values as number[];
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.length > 1 ? xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1) : 0;
    mean.push(m);
    std.push(Math.sqrt(variance));
  }
  return { mean, std };
}
