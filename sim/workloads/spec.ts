import type { PodResources } from '../cluster/index.ts';
import type { Micros } from '../engine/index.ts';
import type { PodConstraints, ResolvedPriority, TopologyConstraint } from '../scheduler/index.ts';

export const STARTUP_POLICIES = ['LeaderCreated', 'LeaderReady'] as const;
export type StartupPolicy = (typeof STARTUP_POLICIES)[number];
export const RESTART_POLICIES = ['RecreateGroupOnPodRestart', 'None'] as const;
export type RestartPolicy = (typeof RESTART_POLICIES)[number];

/** What one pod of a group runs and asks for (the leader's, or every worker's). */
export interface PodTemplate {
  readonly image: string;
  readonly resources: PodResources;
  readonly constraints: PodConstraints;
}

/** What the API created the workload as: Run:ai's distributed inference (LWS groups) or a training (one pod). */
export type WorkloadKind = 'distributed-inference' | 'training';

/**
 * A distributed inference as the model understands it: the API translates Run:ai's request body into this, the
 * scenario files likewise. Plain data, so it can be journaled and forked.
 */
export interface InferenceSpec {
  /** The workload's final name (a prefix request already has its suffix). */
  readonly name: string;
  readonly project: string;
  readonly replicas: number;
  /** Workers per group: a group is 1 + workers pods. */
  readonly workers: number;
  readonly startupPolicy: StartupPolicy;
  readonly restartPolicy: RestartPolicy;
  readonly leader: PodTemplate;
  /** Required when workers > 0. */
  readonly worker: PodTemplate | null;
  readonly nodePools: readonly string[];
  readonly priority: ResolvedPriority;
  readonly topology?: TopologyConstraint;
  /**
   * A batch job (training) rather than a service: it completes after running this long in total (its progress
   * survives preemption, as a job that checkpoints does). Inference services leave it out and run until deleted.
   */
  readonly runFor?: Micros;
  /** Absent: a distributed inference. The scheduler and controller treat both alike; the API tells them apart. */
  readonly kind?: WorkloadKind;
}
