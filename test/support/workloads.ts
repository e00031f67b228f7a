import { GIB } from '../../sim/cluster/index.ts';
import { SimulatedCluster } from '../../sim/simulator/simulated-cluster.ts';
import { resolvePriority, type SchedulerConfig } from '../../sim/scheduler/index.ts';
import type { InferenceSpec, PodTemplate } from '../../sim/workloads/spec.ts';
import type { LifecycleDelays } from '../../sim/workloads/delays.ts';
import { clusterSpec, nodes } from './clusters.ts';

/** Fixed delays (median = p90 gives a zero-variance lognormal): pull 10 s, start 2 s, load 60 s, stop 5 s. */
export const FIXED_DELAYS: LifecycleDelays = {
  imagePull: { median: 10, p90: 10 },
  containerStart: { median: 2, p90: 2 },
  modelLoad: { median: 60, p90: 60 },
  termination: { median: 5, p90: 5 },
};
export const READY_AFTER = 72; // seconds from placement to Ready with FIXED_DELAYS

export function template(gpus: number): PodTemplate {
  return {
    image: 'vllm/vllm-openai:v0.6.0',
    resources: { gpu: { kind: 'devices', count: gpus }, cpuMillis: 8000, memoryBytes: 64 * GIB },
    constraints: {},
  };
}

export function inference(overrides: Partial<InferenceSpec> = {}): InferenceSpec {
  return {
    name: 'llama',
    project: 'team',
    replicas: 1,
    workers: 1,
    startupPolicy: 'LeaderCreated',
    restartPolicy: 'RecreateGroupOnPodRestart',
    leader: template(8),
    worker: template(8),
    nodePools: [],
    priority: resolvePriority('very-high'),
    ...overrides,
  };
}

/** A model over `nodeCount` 8-GPU nodes (racks of 2) with one project `team` deserving them all. */
export function model(nodeCount = 4, seed = 1, scheduler?: SchedulerConfig): SimulatedCluster {
  const spec = {
    ...clusterSpec({ gpu: [nodes(nodeCount, { topology: { rack: 2 } })] }, ['rack']),
    departments: [
      {
        name: 'dept',
        rank: 0,
        quotas: { gpu: { deserved: nodeCount * 8 } },
        projects: [{ name: 'team', rank: 0, quotas: { gpu: { deserved: nodeCount * 8 } } }],
      },
    ],
  };
  return SimulatedCluster.create(spec, { seed, delays: FIXED_DELAYS, ...(scheduler ? { scheduler } : {}) });
}
