import type { Binding } from '../cluster/index.ts';
import type { Micros } from '../engine/index.ts';
import type { InferenceSpec } from './spec.ts';

/** Run:ai's workload phases (the contract's Phase enum). lwsim derives these from group and pod states. */
export const WORKLOAD_PHASES = [
  'Creating',
  'Initializing',
  'Resuming',
  'Pending',
  'Deleting',
  'Running',
  'Updating',
  'Stopped',
  'Stopping',
  'Degraded',
  'Failed',
  'Completed',
  'Terminating',
  'Unknown',
] as const;
export type WorkloadPhase = (typeof WORKLOAD_PHASES)[number];

/**
 * Where a pod is in its life. Unscheduled: waiting for its group's gang to be placed. PullingImage, Starting:
 * the container is being created (Kubernetes phase Pending). LoadingModel: the container runs, not yet Ready.
 * Ready: serving. Terminating: being deleted.
 */
export type PodStage = 'Unscheduled' | 'PullingImage' | 'Starting' | 'LoadingModel' | 'Ready' | 'Terminating';

export interface PodState {
  readonly name: string;
  readonly role: 'leader' | 'worker';
  /** LWS_WORKER_INDEX: 0 for the leader, 1..N for workers. */
  readonly workerIndex: number;
  /** Changes with every incarnation of the pod (recreation), so the API can give it a new id. */
  incarnation: number;
  stage: PodStage;
  stageSince: Micros;
  createdAt: Micros;
  node: string | null;
  binding: Binding | null;
  pool: string | null;
  restarts: number;
}

/**
 * One LWS group: a leader and its workers, one gang for the scheduler. `generation` changes whenever the group
 * loses its placement or is recreated, so events scheduled for an older generation are recognised and ignored.
 */
export interface GroupState {
  readonly index: number;
  generation: number;
  /** The scheduler's gang id for this generation. */
  gang: string;
  status: 'pending' | 'starting' | 'ready' | 'terminating';
  pods: PodState[];
  /** Times the group was recreated (pod failure, node failure, eviction). */
  restarts: number;
  createdAt: Micros;
  readyAt: Micros | null;
}

export interface WorkloadState {
  readonly id: string;
  readonly seq: number;
  readonly name: string;
  readonly requestedName: string;
  readonly project: string;
  readonly department: string;
  readonly createdBy: string;
  readonly createdAt: Micros;
  /** As submitted: `spec.name` is the requested name (`name` is the workload's, with a suffix if it asked for one). */
  readonly spec: InferenceSpec;
  /** The request as the client sent it, as JSON text, for echoing back (opaque to the model). */
  readonly request: string;
  replicas: number;
  groups: GroupState[];
  desiredPhase: 'Running' | 'Stopped' | 'Deleted';
  deletedAt: Micros | null;
  phase: WorkloadPhase;
  phaseMessage: string;
  phaseUpdatedAt: Micros;
  /** True until the scheduler has looked at the workload (the Creating phase). */
  creating: boolean;
  /** A replica change is rolling out: set by PATCH, cleared when the groups settle. */
  updating: boolean;
  evictions: number;
  /** For a job with `spec.runFor`: time run so far (closed intervals), since when it runs, and when it finished. */
  ranMicros: Micros;
  runningSince: Micros | null;
  completedAt: Micros | null;
  /** When all its groups were first placed (the end of its first wait). */
  firstScheduledAt: Micros | null;
  firstRunningAt: Micros | null;
}
