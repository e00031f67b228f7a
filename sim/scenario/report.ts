import type { ServingExtras } from '../serving/simulate.ts';
import type { ServedDeployment } from '../simulator/serving-watch.ts';
import type { Percentiles } from '../stats/stats.ts';

/**
 * The replay report: what `lwsim replay --json` writes and what the Markdown and HTML reports are made from.
 * Times are in seconds of simulated time since the scenario's start. Everything except `run` is byte-identical for
 * the same scenario file and seed.
 */
export interface ReplayReport {
  readonly scenario: {
    readonly name: string;
    readonly file: string;
    readonly seed: number;
    /** The horizon, seconds. */
    readonly until: number;
    /** Where the replay stopped, when its `stopWhen` ended it before the horizon. */
    readonly stoppedAt?: number;
    readonly cluster: {
      readonly name: string;
      readonly nodes: number;
      readonly gpus: number;
      readonly pools: readonly { readonly name: string; readonly gpus: number }[];
    };
  };
  readonly workloads: readonly WorkloadReport[];
  readonly summary: {
    readonly workloads: number;
    readonly ran: number;
    readonly neverRan: number;
    readonly pendingSeconds: Percentiles;
    /** Over the workloads that reached Running. */
    readonly timeToRunningSeconds: Percentiles;
    readonly preemptions: number;
    readonly restarts: number;
  };
  readonly gpu: {
    readonly overall: GpuUse;
    readonly pools: readonly (GpuUse & { readonly pool: string; readonly fgd?: FgdFragmentationUse })[];
    readonly projects: readonly {
      readonly project: string;
      readonly meanAllocated: number;
      readonly peakAllocated: number;
    }[];
  };
  /** Sampled every `interval` seconds, at the times in `t`. */
  readonly series: {
    readonly interval: number;
    readonly t: readonly number[];
    readonly allocatedByProject: Readonly<Record<string, readonly number[]>>;
    readonly allocatedByPool: Readonly<Record<string, readonly number[]>>;
    readonly pendingGangs: readonly number[];
    readonly runningWorkloads: readonly number[];
    readonly fragmentedGpus: readonly number[];
  };
  /** One entry per workload that carries `traffic`: how it served, request by request (absent when none does). */
  readonly serving?: readonly ServingReport[];
  /** What contention did to each project: evictions suffered and caused, and waiting by reason. */
  readonly projects: readonly ProjectReport[];
  /** How many of each kind of thing happened (submissions, placements, evictions, faults, ...). */
  readonly events: Readonly<Record<string, number>>;
  /** The only non-deterministic block: how fast this machine replayed it. */
  readonly run: { readonly wallSeconds: number; readonly eventsPerSecond: number; readonly workloadsPerSecond: number };
}

export interface WorkloadReport {
  readonly name: string;
  readonly project: string;
  readonly kind: 'inference' | 'training';
  readonly gpus: number;
  readonly submittedAt: number;
  readonly firstRunningAt: number | null;
  readonly pendingSeconds: number;
  readonly timeToRunningSeconds: number | null;
  readonly preemptions: number;
  readonly restarts: number;
  readonly finalPhase: string;
  /** Why it never ran (null when it did). */
  readonly pendingReason: string | null;
}

/**
 * For a pool placed by an FGD policy only: FGD's fragmentation ratio over the samples (frag_amount / idle GPU,
 * a fraction, against the typical pods of the gangs submitted so far), beside lwsim's fragmented GPUs.
 */
export interface FgdFragmentationUse {
  readonly placement: string;
  readonly meanFragmentation: number;
  readonly peakFragmentation: number;
}

export interface GpuUse {
  readonly capacity: number;
  readonly meanAllocated: number;
  readonly peakAllocated: number;
  readonly meanFragmented: number;
  readonly peakFragmented: number;
}

/** A workload's serving under the cluster's changes: `result` has `vllm bench serve`'s keys, `lwsim` the rest. */
export interface ServingReport {
  readonly workload: string;
  readonly project: string;
  /** When the workload was created and its clients began sending, seconds. */
  readonly startedAt: number;
  readonly deployment: ServedDeployment;
  readonly router: string;
  readonly onReplicaLoss: 'retry' | 'fail';
  /** Times a replica became Ready or stopped serving. */
  readonly replicaChanges: number;
  /** Why a trace stopped early (the line it could not read). */
  readonly traceProblem?: string;
  readonly result: Readonly<Record<string, number>>;
  readonly lwsim: ServingExtras;
}

export interface ProjectReport {
  readonly project: string;
  /** Its gangs evicted, by how. */
  readonly evicted: { readonly preempted: number; readonly reclaimed: number };
  /** Other gangs evicted to place its gangs. */
  readonly evicting: { readonly preempted: number; readonly reclaimed: number };
  /**
   * Gang-hours its gangs spent waiting, by the reason they had (a quota code, Unschedulable, Evicted, or NotTried
   * before a first cycle), summed over the samples.
   */
  readonly pendingGangHours: Readonly<Record<string, number>>;
}
