// What `lwsim experiment fgd --json` prints and the report is drawn from: per policy, every bin of each curve.
import { POLICY_TITLES, type CurveStats, type ExperimentResult, type PolicyName } from '../../sim/fgd/index.ts';

export type ByArrived = Record<string, number | null>;

export interface FgdPolicyJson {
  readonly title: string;
  /** Arrived GPU demand (%, "0".."130") → seed-mean GPU allocation ratio (%). */
  readonly allocationByArrived: ByArrived;
  readonly allocationStdByArrived: ByArrived;
  /** Arrived GPU demand (%) → seed-mean fragmentation ratio (% of idle GPU milli). */
  readonly fragRatioByArrived: ByArrived;
  readonly fragRatioStdByArrived: ByArrived;
  readonly seeds: readonly { seed: number; pods: number; failed: number; allocationAtMax: number | null }[];
}

export interface FgdJson {
  readonly experiment: 'fgd';
  readonly nodesFile: string;
  readonly podsFile: string;
  readonly nodes: number;
  readonly gpus: number;
  readonly pods: number;
  readonly typicalPods: number;
  readonly seeds: readonly number[];
  readonly tuneRatio: number;
  /** The last bin of the curves (130 for the paper's tuning). */
  readonly maxBin: number;
  readonly wallSeconds: number;
  readonly policies: Partial<Record<PolicyName, FgdPolicyJson>>;
}

export function fgdJson(
  result: ExperimentResult,
  run: { nodes: string; pods: string; seeds: readonly number[]; tuneRatio: number; wallSeconds: number },
): FgdJson {
  const maxBin = Math.max(0, ...result.policies.map((p) => p.allocation.mean.length - 1));
  const policies: Partial<Record<PolicyName, FgdPolicyJson>> = {};
  for (const p of result.policies) {
    policies[p.policy] = {
      title: POLICY_TITLES[p.policy],
      allocationByArrived: byArrived(p.allocation.mean),
      allocationStdByArrived: byArrived(p.allocation.std),
      fragRatioByArrived: byArrived(p.fragRatio.mean),
      fragRatioStdByArrived: byArrived(p.fragRatio.std),
      seeds: p.seeds.map((s) => ({
        seed: s.seed,
        pods: s.pods,
        failed: s.failed,
        allocationAtMax: s.allocation[maxBin] ?? null,
      })),
    };
  }
  return {
    experiment: 'fgd',
    nodesFile: run.nodes,
    podsFile: run.pods,
    nodes: result.nodes,
    gpus: result.gpus,
    pods: result.workloadPods,
    typicalPods: result.typicalPods.length,
    seeds: run.seeds,
    tuneRatio: run.tuneRatio,
    maxBin,
    wallSeconds: run.wallSeconds,
    policies,
  };
}

function byArrived(values: CurveStats['mean']): ByArrived {
  return Object.fromEntries(values.map((v, k) => [String(k), v === null ? null : Math.round(v * 100) / 100]));
}
