import { GIB, type GpuRequest, type PodResources } from '../cluster/index.ts';
import type { Micros } from '../engine/index.ts';
import type { ResolvedPriority } from '../scheduler/index.ts';
import type { InferenceSpec } from './spec.ts';

/**
 * A gang described by its shape alone, as scenario verbs, generators and trace importers describe work: every
 * pod alike, asking for `gpus` (a fraction below 1) and the CPU and memory of `resources`.
 */
export interface SyntheticGang {
  readonly name: string;
  readonly project: string;
  readonly replicas: number;
  readonly workers: number;
  readonly gpus: number;
  /** The image name, which says where the gang came from. */
  readonly image: string;
  /** CPU and memory per pod; `hostShare(gpus)` when the source says nothing. */
  readonly host: HostResources;
  readonly priority: ResolvedPriority;
  readonly nodePools: readonly string[];
  /** A training job's run time; absent for a service. */
  readonly runFor?: Micros;
}

export interface HostResources {
  readonly cpuMillis: number;
  readonly memoryBytes: number;
}

export function syntheticSpec(gang: SyntheticGang): InferenceSpec {
  const resources: PodResources = { gpu: gpuRequest(gang.gpus), ...gang.host };
  const pod = { image: gang.image, resources, constraints: {} };
  return {
    name: gang.name,
    project: gang.project,
    replicas: gang.replicas,
    workers: gang.workers,
    startupPolicy: 'LeaderCreated',
    restartPolicy: 'RecreateGroupOnPodRestart',
    leader: pod,
    worker: gang.workers > 0 ? pod : null,
    nodePools: gang.nodePools,
    priority: gang.priority,
    ...(gang.runFor !== undefined ? { runFor: gang.runFor } : {}),
  };
}

/** Whole devices from 1 up (rounded), a portion of one device below 1, none at 0. */
export function gpuRequest(gpus: number): GpuRequest {
  if (gpus <= 0) return { kind: 'none' };
  return gpus < 1 ? { kind: 'portion', portion: gpus } : { kind: 'devices', count: Math.round(gpus) };
}

/** A host share that grows with the GPUs asked for: 4 cores and 32 GiB per GPU begun. */
export function hostShare(gpus: number): HostResources {
  const devices = Math.max(1, Math.ceil(gpus));
  return { cpuMillis: 4000 * devices, memoryBytes: 32 * GIB * devices };
}
