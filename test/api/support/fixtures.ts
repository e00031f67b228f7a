// Realistic Run:ai payloads, written from the contract's schemas: a distributed-inference creation request
// (vLLM leader + workers), and the bodies the API answers with.

export const CLUSTER_ID = '7c3e1a52-3f6b-4d7e-9a41-0b2d5e8f9c10';
export const WORKLOAD_ID = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
export const POD_ID = '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d';

/** Leader and worker specs share a shape (DistributedInferenceLeaderWorkerSpec1). */
function podSpec(role: 'leader' | 'worker'): Record<string, unknown> {
  return {
    image: 'vllm/vllm-openai:v0.8.5',
    imagePullPolicy: 'IfNotPresent',
    command: role === 'leader' ? 'sh -c' : 'ray start --block --address=$(LWS_LEADER_ADDRESS):6379',
    args:
      role === 'leader'
        ? 'vllm serve meta-llama/Llama-3.1-405B-Instruct --tensor-parallel-size 8 --pipeline-parallel-size 2'
        : null,
    workingDir: '/workspace',
    compute: {
      gpuDevicesRequest: 8,
      gpuRequestType: null,
      cpuCoreRequest: 16,
      cpuCoreLimit: 32,
      cpuMemoryRequest: '256Gi',
      cpuMemoryLimit: '512Gi',
      largeShmRequest: true,
      extendedResources: [{ resource: 'rdma/hca_shared_devices_a', quantity: '1' }],
    },
    environmentVariables: [
      { name: 'HF_TOKEN', secret: { name: 'hf-token', key: 'token' } },
      { name: 'VLLM_LOGGING_LEVEL', value: 'INFO' },
    ],
    labels: [{ name: 'app', value: 'llama-405b' }],
    annotations: [{ name: 'lwsim.dev/role', value: role }],
    tolerations: [{ name: 'gpu', key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    nodeAffinityRequired: {
      nodeSelectorTerms: [
        { matchExpressions: [{ key: 'nvidia.com/gpu.product', operator: 'In', values: ['NVIDIA-H100-80GB-HBM3'] }] },
      ],
    },
    podAffinity: { type: 'Preferred', key: 'topology.kubernetes.io/zone' },
    probes:
      role === 'leader'
        ? {
            readiness: {
              initialDelaySeconds: 30,
              periodSeconds: 10,
              handler: { httpGet: { path: '/health', port: 8000, scheme: 'HTTP' } },
            },
          }
        : null,
    security: {
      runAsNonRoot: true,
      runAsUid: 1000,
      runAsGid: 1000,
      capabilities: ['IPC_LOCK'],
      seccompProfileType: 'RuntimeDefault',
    },
    storage: {
      pvc: [{ name: 'models', path: '/models', existingPvc: true, claimName: 'hf-cache', readOnly: true }],
      emptyDirVolume: [{ name: 'shm', path: '/dev/shm', medium: 'Memory', sizeLimit: '64Gi' }],
    },
  };
}

/** A complete, valid DistributedInferenceCreationRequest. Each call returns a fresh copy to mutate. */
export function creationRequest(): Record<string, unknown> & { spec: Record<string, unknown> } {
  return {
    name: 'llama-405b',
    useGivenNameAsPrefix: false,
    projectId: '4501',
    clusterId: CLUSTER_ID,
    templateId: null,
    spec: {
      workers: 1,
      replicas: 2,
      startupPolicy: 'LeaderReady',
      restartPolicy: 'RecreateGroupOnPodRestart',
      category: 'Deploy',
      preemptibility: 'non-preemptible',
      priorityClass: 'inference',
      nodePools: ['h100-pool', 'default'],
      servingPort: { port: 8000, protocol: 'http', authorizationType: 'authenticatedUsers', exposeExternally: true },
      leader: podSpec('leader'),
      worker: podSpec('worker'),
    },
  };
}

/** A DistributedInference (202 to a create, 200 to a get), as the server answers it. */
export function distributedInference(): Record<string, unknown> {
  const request = creationRequest();
  return {
    name: 'llama-405b',
    requestedName: 'llama-405b',
    workloadId: WORKLOAD_ID,
    projectId: '4501',
    departmentId: '2',
    clusterId: CLUSTER_ID,
    createdBy: 'alice@example.com',
    createdAt: '2025-06-01T10:00:00.000Z',
    deletedAt: null,
    desiredPhase: 'Running',
    actualPhase: 'Creating',
    spec: request.spec,
  };
}

/** A Workload, as listed by get_workloads. */
export function workload(): Record<string, unknown> {
  return {
    tenantId: 1,
    type: 'distributed-inference',
    name: 'llama-405b',
    id: WORKLOAD_ID,
    source: 'Control-plane',
    priority: 125,
    priorityClassName: 'inference',
    clusterId: CLUSTER_ID,
    projectName: 'research',
    projectId: '4501',
    departmentName: 'ml',
    departmentId: '2',
    namespace: 'runai-research',
    createdAt: '2025-06-01T10:00:00.000Z',
    phase: 'Running',
    phaseUpdatedAt: '2025-06-01T10:02:00.000Z',
    k8sPhase: 'Running',
    k8sPhaseUpdatedAt: '2025-06-01T10:02:00.000Z',
    updatedAt: '2025-06-01T10:02:00.000Z',
    deletedAt: null,
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-06-01T10:02:00.000Z' }],
    runningPods: 4,
    category: 'Deploy',
    submittedBy: 'alice@example.com',
    requestedPods: { number: 4 },
    allocatedResources: { gpu: 32, cpu: 64, cpuMemory: '1Ti', gpuMemory: '2560Gi', extendedResources: null },
    images: ['vllm/vllm-openai:v0.8.5'],
    distributedFramework: 'LWS',
    preemptible: false,
    phaseReason: null,
    idleAllocatedGpus: 0,
    totalPendingTimeSeconds: 120,
    totalRunningTimeSeconds: 3600,
    sourceApi: 'WorkloadsV2',
    topology: null,
  };
}

/** A Pod1, as listed by get_workload_pods. */
export function pod(): Record<string, unknown> {
  return {
    name: 'llama-405b-0',
    priorityClassName: 'inference',
    id: POD_ID,
    workloadId: WORKLOAD_ID,
    clusterId: CLUSTER_ID,
    projectId: '4501',
    nodeName: 'dgx-h100-001',
    createdAt: '2025-06-01T10:00:05.000Z',
    completedAt: null,
    containers: [{ name: 'leader', image: 'vllm/vllm-openai:v0.8.5', startedAt: '2025-06-01T10:01:00.000Z' }],
    currentNodePool: 'h100-pool',
    requestedNodePools: ['h100-pool'],
    k8sPhase: 'Running',
    ip: '10.0.3.17',
    tenantId: 1,
    k8sPhaseUpdatedAt: '2025-06-01T10:01:00.000Z',
    updatedAt: '2025-06-01T10:01:00.000Z',
    projectName: 'research',
    workloadName: 'llama-405b',
  };
}
