import type { ClusterModel, ModelResult } from '../../sim/model/cluster-model.ts';
import type { InferenceSpec } from '../../sim/workloads/spec.ts';
import type { WorkloadState } from '../../sim/workloads/state.ts';

/**
 * Every change the outside world can make to the live model. Commands are plain data: they are journaled as they
 * are accepted and replayed, at the same simulated times, to rebuild the exact state after a restart.
 */
export type Command =
  | { readonly type: 'create'; readonly spec: InferenceSpec; readonly useGivenNameAsPrefix: boolean; readonly createdBy: string; readonly request: unknown }
  | { readonly type: 'scale'; readonly workloadId: string; readonly replicas: number }
  | { readonly type: 'delete'; readonly workloadId: string }
  | { readonly type: 'node'; readonly node: string; readonly ready: boolean }
  | { readonly type: 'fail-pod'; readonly workloadId: string; readonly pod: string };

export type CommandResult = ModelResult<WorkloadState | string>;

/** Applies a command to the model at its current time. */
export function applyCommand(model: ClusterModel, command: Command): CommandResult {
  switch (command.type) {
    case 'create':
      return model.createWorkload(command);
    case 'scale':
      return model.scaleWorkload(command.workloadId, command.replicas);
    case 'delete':
      return model.deleteWorkload(command.workloadId);
    case 'node':
      return model.setNodeReady(command.node, command.ready);
    case 'fail-pod':
      return model.failPod(command.workloadId, command.pod);
  }
}
