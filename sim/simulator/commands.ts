import type { WorkloadState } from '../workloads/state.ts';
import type { InferenceSpec } from '../workloads/spec.ts';
import type { SimulatedCluster, ClusterResult, GivenIdentity } from './simulated-cluster.ts';

/**
 * A workload as a command names it: the live API by id; a scenario timeline (or an imported trace) by the name
 * it created the workload under, which means that name's latest incarnation.
 */
export type WorkloadRef = { readonly id: string } | { readonly name: string };

/**
 * Every change the outside world can make to the cluster, as plain data: the API's requests, a scenario's
 * timeline and the journal's lines all become these, and `applyCommand` is the one place they take effect.
 */
export type Command =
  | {
      readonly type: 'create';
      readonly spec: InferenceSpec;
      /** Append a random suffix to the name (Run:ai's useGivenNameAsPrefix). */
      readonly useGivenNameAsPrefix: boolean;
      readonly createdBy: string;
      /** The request as submitted, as JSON text, echoed back by the API. */
      readonly request: string;
      /** The workload's id and name, when they were decided before (a journal's replay); else the model's. */
      readonly identity?: GivenIdentity;
    }
  | { readonly type: 'scale'; readonly workload: WorkloadRef; readonly replicas: number }
  | { readonly type: 'delete'; readonly workload: WorkloadRef }
  | { readonly type: 'node'; readonly node: string; readonly ready: boolean }
  | { readonly type: 'fail-pod'; readonly workload: WorkloadRef; readonly pod: string };

export type CommandType = Command['type'];

export type CommandResult = ClusterResult<WorkloadState | string>;

/** Requested name -> id of the latest workload created under it: how `{ name }` references resolve. */
export type WorkloadNames = Map<string, string>;

/**
 * Applies a command at the cluster's current time. `names` is the table `{ name }` references resolve in; a
 * successful create records its workload there.
 */
export function applyCommand(cluster: SimulatedCluster, command: Command, names?: WorkloadNames): CommandResult {
  switch (command.type) {
    case 'create': {
      const created = cluster.createWorkload(command);
      if (created.ok) names?.set(command.spec.name, created.value.id);
      return created;
    }
    case 'scale':
      return withId(command.workload, names, (id) => cluster.scaleWorkload(id, command.replicas));
    case 'delete':
      return withId(command.workload, names, (id) => cluster.deleteWorkload(id));
    case 'node':
      return cluster.setNodeReady(command.node, command.ready);
    case 'fail-pod':
      return withId(command.workload, names, (id) => cluster.failPod(id, command.pod));
  }
}

function withId(
  ref: WorkloadRef,
  names: WorkloadNames | undefined,
  apply: (id: string) => CommandResult,
): CommandResult {
  if ('id' in ref) return apply(ref.id);
  const id = names?.get(ref.name);
  return id === undefined ? { ok: false, error: 'not-found', message: `workload ${ref.name} not found` } : apply(id);
}
