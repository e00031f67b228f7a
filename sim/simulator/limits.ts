import type { InferenceSpec } from '../workloads/spec.ts';

/**
 * How much work one cluster admits, checked when a workload is created or scaled: a refusal, not a queue, as
 * Kubernetes' ResourceQuota refuses pods beyond `count/pods`. They keep one request from holding the whole
 * server's memory (a million pods is inside the API's schema). Unlimited unless given.
 */
export interface ClusterLimits {
  /** Pods one workload may ask for: replicas × (1 + workers). */
  readonly podsPerWorkload: number;
  /** Pods all the workloads not deleted may ask for together. */
  readonly podsPerCluster: number;
  /** Groups (gangs) of one project that may wait for placement at once. */
  readonly pendingGangsPerProject: number;
  /**
   * Deleted workloads kept for `deleted=true` listings, the latest: a history, not a refusal, so that churn does
   * not grow memory without end.
   */
  readonly deletedWorkloadsKept: number;
}

export const NO_LIMITS: ClusterLimits = {
  podsPerWorkload: Infinity,
  podsPerCluster: Infinity,
  pendingGangsPerProject: Infinity,
  deletedWorkloadsKept: Infinity,
};

/** `lwsim serve`'s limits unless the cluster file's `limits:` says otherwise. */
export const DEFAULT_SERVER_LIMITS: ClusterLimits = {
  podsPerWorkload: 4_096,
  podsPerCluster: 100_000,
  pendingGangsPerProject: 10_000,
  deletedWorkloadsKept: 1_000,
};

/** Pods of one group: the leader and its workers. */
export function podsPerGroup(spec: Pick<InferenceSpec, 'workers'>): number {
  return 1 + spec.workers;
}

/** What the cluster holds now that a change would add to. */
export interface LimitUsage {
  /** Pods of the workloads not deleted, the one being changed included at its current size. */
  readonly clusterPods: number;
  /** Gangs of the workload's project waiting for placement. */
  readonly pendingGangs: number;
}

/**
 * Why growing a workload from `fromReplicas` to `toReplicas` groups breaks a limit, naming it, or undefined.
 * Shrinking never does.
 */
export function limitBroken(
  limits: ClusterLimits,
  spec: Pick<InferenceSpec, 'workers' | 'project'>,
  fromReplicas: number,
  toReplicas: number,
  usage: LimitUsage,
): string | undefined {
  const added = toReplicas - fromReplicas;
  if (added <= 0) return undefined;
  const perGroup = podsPerGroup(spec);
  const pods = toReplicas * perGroup;
  if (pods > limits.podsPerWorkload)
    return `spec.replicas: ${toReplicas} replicas of ${perGroup} pods are ${pods} pods, above the limit of ${limits.podsPerWorkload} pods per workload (limits.podsPerWorkload)`;
  if (usage.clusterPods + added * perGroup > limits.podsPerCluster)
    return `spec.replicas: ${added * perGroup} more pods would make ${usage.clusterPods + added * perGroup} in the cluster, above its limit of ${limits.podsPerCluster} (limits.podsPerCluster)`;
  if (usage.pendingGangs + added > limits.pendingGangsPerProject)
    return `spec.replicas: project ${spec.project} already has ${usage.pendingGangs} groups waiting for placement; ${added} more would pass its limit of ${limits.pendingGangsPerProject} (limits.pendingGangsPerProject)`;
  return undefined;
}
