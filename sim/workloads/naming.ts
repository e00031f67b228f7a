/**
 * LeaderWorkerSet naming, as the lws controller names things: group i's leader pod is `<name>-<i>`, its workers
 * `<name>-<i>-<j>` for j = 1..workers, and the leader is reachable through the headless service `<name>`.
 */
export function leaderPodName(workload: string, group: number): string {
  return `${workload}-${group}`;
}

export function workerPodName(workload: string, group: number, worker: number): string {
  return `${workload}-${group}-${worker}`;
}

/** The environment LWS injects into every pod of a group. */
export function lwsEnvironment(
  workload: string,
  namespace: string,
  group: number,
  workerIndex: number,
  groupSize: number,
): Record<string, string> {
  return {
    LWS_LEADER_ADDRESS: `${leaderPodName(workload, group)}.${workload}.${namespace}`,
    LWS_GROUP_SIZE: String(groupSize),
    LWS_WORKER_INDEX: String(workerIndex),
    LWS_GROUP_INDEX: String(group),
  };
}

/** Run:ai runs a project's workloads in the namespace `runai-<project>`. */
export function projectNamespace(project: string): string {
  return `runai-${project}`;
}
