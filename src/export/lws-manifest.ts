/**
 * A distributed inference as the Kubernetes objects a real Run:ai cluster would run: a `leaderworkerset.x-k8s.io/v1`
 * LeaderWorkerSet and, when the request names a serving port, the Service in front of its leaders. Pure: the
 * request as received (contract defaults filled in), the model's reading of it and the cluster's node pools in,
 * plain objects out.
 *
 * | request field                                   | Kubernetes                                                     |
 * |-------------------------------------------------|----------------------------------------------------------------|
 * | name                                            | LWS `metadata.name`; the Service is `<name>-leader`            |
 * | projectId                                       | namespace `runai-<project>`, label `runai/queue: <project>`    |
 * | spec.replicas                                   | `spec.replicas` (the current count, after any PATCH)           |
 * | spec.workers                                    | `leaderWorkerTemplate.size` = workers + 1                      |
 * | spec.startupPolicy, spec.restartPolicy          | `spec.startupPolicy`, `leaderWorkerTemplate.restartPolicy`     |
 * | spec.servingPort.port                           | the leader's container port and the Service's port             |
 * | spec.nodePools                                  | one: node selector + `runai/node-pool` label; several: required|
 * |                                                 | node affinity `In` the pools, preferred in the request's order |
 * | spec.priorityClass (when given)                 | pod `priorityClassName`                                        |
 * | leader/worker image, imagePullPolicy, workingDir| the container's                                                |
 * | leader/worker command, args                     | `command`, `args`, split into words as a shell would           |
 * | leader/worker environmentVariables              | `env`: value, secretKeyRef, configMapKeyRef, fieldRef          |
 * | compute.gpuDevicesRequest                       | `limits: nvidia.com/gpu`                                       |
 * | compute.gpuPortionRequest / gpuMemoryRequest    | pod annotation `gpu-fraction` / `gpu-memory` (MiB), see gpu.ts |
 * | compute.cpu{Core,Memory}{Request,Limit}         | `requests`/`limits` `cpu`, `memory`                            |
 * | compute.extendedResources                       | `requests` and `limits`                                        |
 * | compute.largeShmRequest                         | an in-memory emptyDir at /dev/shm                              |
 * | storage (emptyDir, configMap, secret, pvc)      | volumes and mounts (claims are mounted, not created)          |
 * | nodeType                                        | node selector `run.ai/type`                                    |
 * | nodeAffinityRequired                            | required node affinity (each term ANDed with the pools)        |
 * | tolerations                                     | `tolerations` (`Any` is the empty effect, seconds as such)     |
 * | podAffinity {type, key}                         | pod affinity per LWS group (`matchLabelKeys: group-key`)       |
 * | labels, annotations                             | the pod template's                                             |
 * | probes.readiness                                | `readinessProbe` (httpGet)                                     |
 * | security                                        | container/pod securityContext                                  |
 *
 * No Kubernetes meaning (left out): clusterId (the cluster you apply to), templateId, useGivenNameAsPrefix (the
 * name is the workload's final one), category, preemptibility (Run:ai's control plane, not a pod field),
 * servingPort protocol/authorization/exposeExternally/exposedUrl (Run:ai's ingress), gpuPortionLimit and
 * gpuMemoryLimit, gpuRequestType (implied by the annotation), createHomeDir, security.uidGidSource, user
 * credentials (in env and image pull secrets), claims to create (`pvc.claimInfo`), toleration names.
 *
 * LWS's own variables (LWS_LEADER_ADDRESS, LWS_GROUP_SIZE, LWS_WORKER_INDEX) are not written: the LWS pod webhook
 * prepends them to every container's env (kubernetes-sigs/lws `api/leaderworkerset/v1/leaderworkerset_types.go`,
 * "added to all containers"), so a command refers to them as `$(LWS_LEADER_ADDRESS)`, as LWS's examples do.
 */
import type { IObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import type { INodeSelectorRequirement } from 'kubernetes-models/v1/NodeSelectorRequirement';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { IService } from 'kubernetes-models/v1/Service';
import { projectNamespace } from '../../sim/workloads/naming.ts';
import type { InferenceSpec, RestartPolicy, StartupPolicy } from '../../sim/workloads/spec.ts';
import { LWS_NAME_LABEL, podTemplate, type SharedPodParts } from './pod-template.ts';
import type { ExportRequest } from './request-spec.ts';

/**
 * Run:ai's scheduler and its queue label. `runai/queue` is the label Run:ai's CLI gives a workload's pods
 * (run-ai/runai-cli `cmd/util/const.go`: `RUNAI_QUEUE_LABEL = "runai/queue"`) and the queue label key of KAI as it
 * left Run:ai (NVIDIA/KAI-Scheduler's first `pkg/common/constants`: `QueueLabelKey = "runai/queue"`); open-source
 * KAI now defaults to `kai.scheduler/queue` and scheduler `kai-scheduler`, which a Run:ai cluster does not use.
 * `runai/node-pool` names a pod's node pool (`NodePoolNameLabel` in NVIDIA/KAI-Scheduler `pkg/common/constants`).
 */
export const RUNAI_SCHEDULER = 'runai-scheduler';
export const QUEUE_LABEL = 'runai/queue';
export const NODE_POOL_POD_LABEL = 'runai/node-pool';
/** The node label a pool's nodes carry, as lwsim's node-pools API presents each pool (`labelKey`). */
export const DEFAULT_NODE_POOL_LABEL = 'run.ai/node-pool';
/** LWS labels every leader pod so: a Service selecting it reaches the leaders only. */
const LWS_WORKER_INDEX_LABEL = 'leaderworkerset.sigs.k8s.io/worker-index';

/** How a node pool's nodes are labelled (Run:ai's `Nodepool.labelKey`/`labelValue`). */
export interface NodePoolLabel {
  readonly name: string;
  readonly labelKey: string;
  readonly labelValue: string;
}

export interface LeaderWorkerSet {
  apiVersion: 'leaderworkerset.x-k8s.io/v1';
  kind: 'LeaderWorkerSet';
  metadata: IObjectMeta;
  spec: {
    replicas: number;
    startupPolicy: StartupPolicy;
    leaderWorkerTemplate: {
      size: number;
      restartPolicy: RestartPolicy;
      leaderTemplate?: IPodTemplateSpec;
      workerTemplate: IPodTemplateSpec;
    };
  };
}

export interface WorkloadManifest {
  readonly leaderWorkerSet: LeaderWorkerSet;
  readonly service: IService | null;
}

export interface ManifestInput {
  readonly request: ExportRequest;
  /** The model's reading of the request (translate), with the workload's current replicas. */
  readonly spec: InferenceSpec;
  readonly nodePools: readonly NodePoolLabel[];
}

export type ManifestResult = { ok: true; manifest: WorkloadManifest } | { ok: false; message: string };

export function lwsManifest({ request, spec, nodePools }: ManifestInput): ManifestResult {
  const name = spec.name;
  const namespace = projectNamespace(spec.project);
  const port = request.spec?.servingPort?.port ?? null;
  const pools = spec.nodePools.map(
    (pool) =>
      nodePools.find((p) => p.name === pool) ?? { name: pool, labelKey: DEFAULT_NODE_POOL_LABEL, labelValue: pool },
  );
  const queue = { [QUEUE_LABEL]: spec.project };
  const shared: SharedPodParts = {
    lwsName: name,
    labels: { ...queue, ...(pools.length === 1 ? { [NODE_POOL_POD_LABEL]: pools[0]!.name } : {}) },
    schedulerName: RUNAI_SCHEDULER,
    priorityClassName: request.spec?.priorityClass ?? undefined,
    poolSelector: pools.length === 1 ? { [pools[0]!.labelKey]: pools[0]!.labelValue } : {},
    poolAlternatives: pools.length > 1 ? poolAlternatives(pools) : [],
    poolPreferences:
      pools.length > 1 ? pools.map((p) => ({ key: p.labelKey, operator: 'In', values: [p.labelValue] })) : [],
    topology: spec.topology,
  };
  const leader = podTemplate(request.spec?.leader ?? {}, spec.leader, shared, {
    at: 'spec.leader',
    container: 'leader',
    port,
  });
  if (!leader.ok) return leader;
  const worker =
    spec.workers > 0 && spec.worker
      ? podTemplate(request.spec?.worker ?? {}, spec.worker, shared, {
          at: 'spec.worker',
          container: 'worker',
          port: null,
        })
      : undefined;
  if (worker !== undefined && !worker.ok) return worker;
  const metadata = { name, namespace, labels: queue };
  const leaderWorkerSet: LeaderWorkerSet = {
    apiVersion: 'leaderworkerset.x-k8s.io/v1',
    kind: 'LeaderWorkerSet',
    metadata,
    spec: {
      replicas: spec.replicas,
      startupPolicy: spec.startupPolicy,
      leaderWorkerTemplate: {
        size: spec.workers + 1,
        restartPolicy: spec.restartPolicy,
        // Without workers the group is its leader alone: LWS runs the worker template for a leader it lacks.
        ...(worker
          ? { leaderTemplate: leader.template, workerTemplate: worker.template }
          : { workerTemplate: leader.template }),
      },
    },
  };
  const service: IService | null =
    port === null
      ? null
      : {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: serviceName(name), namespace, labels: queue },
          spec: {
            type: 'ClusterIP',
            selector: { [LWS_NAME_LABEL]: name, [LWS_WORKER_INDEX_LABEL]: '0' },
            ports: [{ name: 'http', port, targetPort: port, protocol: 'TCP' }],
          },
        };
  return { ok: true, manifest: { leaderWorkerSet, service } };
}

/** One `In` per label key, ORed: pools sharing a key (the usual case) are one expression. */
function poolAlternatives(pools: readonly NodePoolLabel[]): INodeSelectorRequirement[] {
  const byKey = new Map<string, string[]>();
  for (const p of pools) byKey.set(p.labelKey, [...(byKey.get(p.labelKey) ?? []), p.labelValue]);
  return [...byKey].map(([key, values]) => ({ key, operator: 'In', values }));
}

/**
 * LWS makes a headless Service named after the set for its pods' DNS, so this one takes `-leader` (as LWS's
 * examples do), shortened to stay a 63-character DNS label.
 */
function serviceName(name: string): string {
  return `${name.slice(0, 56).replace(/-+$/, '')}-leader`;
}
