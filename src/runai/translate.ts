/**
 * From Run:ai's `DistributedInferenceCreationRequest` (already valid against the contract's schema) to the model's
 * InferenceSpec, with the semantic checks the schema cannot express. Every refusal names the field.
 */
import { parseBytes, type GpuRequest, type PodResources } from '../../sim/cluster/index.ts';
import {
  DEFAULT_PRIORITY_CLASS,
  isPriorityClassName,
  resolvePriority,
  type MatchExpression,
  type PodConstraints,
  type PriorityClassName,
  type ResolvedPriority,
  type Toleration,
  type TopologyConstraint,
} from '../../sim/scheduler/index.ts';
import type { InferenceSpec, PodTemplate, RestartPolicy, StartupPolicy } from '../../sim/workloads/spec.ts';

/** The parts of the request body lwsim reads (the schema guarantees the types; null means absent). */
export interface CreationRequest {
  name: string;
  useGivenNameAsPrefix?: boolean | null;
  projectId: string;
  clusterId: string;
  spec?: RequestSpec | null;
}

export interface RequestSpec {
  nodePools?: string[] | null;
  preemptibility?: 'preemptible' | 'non-preemptible' | null;
  priorityClass?: string | null;
  restartPolicy?: RestartPolicy | null;
  startupPolicy?: StartupPolicy | null;
  workers?: number | null;
  replicas?: number | null;
  leader?: RequestPodSpec | null;
  worker?: RequestPodSpec | null;
}

export interface RequestPodSpec {
  image?: string | null;
  nodeType?: string | null;
  compute?: {
    cpuCoreRequest?: number | null;
    cpuMemoryRequest?: string | null;
    gpuDevicesRequest?: number | null;
    gpuMemoryRequest?: string | null;
    gpuPortionRequest?: number | null;
    gpuRequestType?: 'portion' | 'memory' | null;
  } | null;
  nodeAffinityRequired?: {
    nodeSelectorTerms?:
      | ({
          matchExpressions?:
            ({ key: string; operator: MatchExpression['operator']; values?: string[] | null } | null)[] | null;
        } | null)[]
      | null;
  } | null;
  tolerations?:
    | ({
        key?: string | null;
        operator?: 'Equal' | 'Exists' | null;
        value?: string | null;
        effect?: Toleration['effect'] | null;
        exclude?: boolean | null;
      } | null)[]
    | null;
  podAffinity?: { type?: 'Required' | 'Preferred' | null; key?: string | null } | null;
}

export type Translation = { ok: true; spec: InferenceSpec } | { ok: false; message: string };

/** Where the request lands: resolved by the caller from the cluster (project id -> name, this cluster's id). */
export interface TranslationContext {
  readonly clusterId: string;
  projectName(projectId: string): string | undefined;
}

/** Where any creation request lands (this cluster, a project) and under what name: the project's name, or why not. */
export function creationTarget(
  body: Pick<CreationRequest, 'name' | 'projectId' | 'clusterId'>,
  context: TranslationContext,
): { ok: true; project: string } | { ok: false; message: string } {
  if (body.clusterId.toLowerCase() !== context.clusterId)
    return fail('clusterId', `${body.clusterId} is not this cluster (${context.clusterId})`);
  const project = context.projectName(body.projectId);
  if (project === undefined) return fail('projectId', `no project with id ${body.projectId}`);
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(body.name) || body.name.length > 63)
    return fail(
      'name',
      'must be a DNS-1123 label: lower-case letters, digits and "-", starting with a letter, at most 63 characters',
    );
  return { ok: true, project };
}

export function translateCreation(body: CreationRequest, context: TranslationContext): Translation {
  const target = creationTarget(body, context);
  if (!target.ok) return target;
  const { project } = target;
  const spec = body.spec ?? {};
  if (!spec.leader) return fail('spec.leader', 'is required');
  const workers = spec.workers ?? 0;
  if (workers > 0 && !spec.worker) return fail('spec.worker', `is required when spec.workers is ${workers}`);
  const leader = podTemplate(spec.leader, 'spec.leader');
  if (!leader.ok) return leader;
  const worker = workers > 0 && spec.worker ? podTemplate(spec.worker, 'spec.worker') : undefined;
  if (worker !== undefined && !worker.ok) return worker;
  const className = spec.priorityClass ?? DEFAULT_PRIORITY_CLASS.inference;
  if (!isPriorityClassName(className))
    return fail(
      'spec.priorityClass',
      `unknown priority class "${className}" (very-low, low, medium-low, medium, medium-high, high, very-high)`,
    );
  const topology =
    podAffinity(spec.leader, 'spec.leader') ?? (spec.worker ? podAffinity(spec.worker, 'spec.worker') : undefined);
  if (topology !== undefined && !('key' in topology)) return topology;
  return {
    ok: true,
    spec: {
      name: body.name,
      project,
      replicas: spec.replicas ?? 1,
      workers,
      startupPolicy: spec.startupPolicy ?? 'LeaderCreated',
      restartPolicy: spec.restartPolicy ?? 'RecreateGroupOnPodRestart',
      leader: leader.template,
      worker: worker?.template ?? null,
      nodePools: spec.nodePools ?? NO_NODE_POOLS,
      priority: priorityOf(className, spec.preemptibility ?? null),
      ...(topology ? { topology } : {}),
    },
  };
}

export function podTemplate(
  pod: RequestPodSpec,
  at: string,
): { ok: true; template: PodTemplate } | { ok: false; message: string } {
  const resources = podResources(pod.compute ?? {}, at);
  if (!resources.ok) return resources;
  // Built only as far as the request goes: most pods ask for no constraints at all.
  const constraints: { -readonly [K in keyof PodConstraints]: PodConstraints[K] } = {};
  if (pod.nodeType) constraints.nodeType = pod.nodeType;
  const terms = pod.nodeAffinityRequired?.nodeSelectorTerms?.filter((t) => t !== null) ?? [];
  if (terms.length > 0) {
    constraints.nodeAffinity = terms.map((term) => ({
      matchExpressions: (term.matchExpressions ?? [])
        .filter((e) => e !== null)
        .map((e) => ({ key: e.key, operator: e.operator, values: e.values ?? [] })),
    }));
  }
  const requested = pod.tolerations ?? [];
  const tolerations: Toleration[] = [];
  for (let i = 0; i < requested.length; i++) {
    const t = requested[i];
    if (!t || t.exclude) continue;
    if ((t.operator ?? 'Equal') === 'Equal' && !t.key)
      return fail(`${at}.tolerations[${i}].key`, 'is required with operator Equal');
    tolerations.push({
      ...(t.key ? { key: t.key } : {}),
      operator: t.operator ?? 'Equal',
      ...(t.value != null ? { value: t.value } : {}),
      ...(t.effect ? { effect: t.effect } : {}),
    });
  }
  if (tolerations.length > 0) constraints.tolerations = tolerations;
  const none =
    constraints.nodeType === undefined &&
    constraints.nodeAffinity === undefined &&
    constraints.tolerations === undefined;
  return {
    ok: true,
    template: { image: pod.image ?? '', resources: resources.value, constraints: none ? NO_CONSTRAINTS : constraints },
  };
}

/** `pod` is the pod's field path (`spec.leader`); a refusal names `<pod>.compute.<field>`. */
function podResources(
  compute: NonNullable<RequestPodSpec['compute']>,
  pod: string,
): { ok: true; value: PodResources } | { ok: false; message: string } {
  const devices = compute.gpuDevicesRequest ?? null;
  const portion = compute.gpuPortionRequest ?? null;
  const memory = compute.gpuMemoryRequest ?? null;
  const type = compute.gpuRequestType ?? (portion !== null ? 'portion' : memory !== null ? 'memory' : null);
  if (devices !== null && devices > 1 && (portion !== null || memory !== null)) {
    return fail(
      `${pod}.compute.gpuDevicesRequest`,
      `is ${devices}: a GPU portion or GPU memory can only be requested with one device`,
    );
  }
  let gpu: GpuRequest = devices ? gpuDevices(devices) : NO_GPU;
  if (type === 'portion') {
    if (portion === null) return fail(`${pod}.compute.gpuPortionRequest`, 'is required when gpuRequestType is portion');
    if (!(portion > 0 && portion <= 1))
      return fail(`${pod}.compute.gpuPortionRequest`, `must be in (0, 1], got ${portion}`);
    gpu = portion === 1 ? gpuDevices(1) : { kind: 'portion', portion };
  } else if (type === 'memory') {
    if (memory === null) return fail(`${pod}.compute.gpuMemoryRequest`, 'is required when gpuRequestType is memory');
    const bytes = parseBytes(memory);
    if (!bytes.ok || bytes.value <= 0)
      return fail(
        `${pod}.compute.gpuMemoryRequest`,
        `"${memory}" is not a positive memory quantity (examples: 20Gi, 40G)`,
      );
    gpu = { kind: 'memory', bytes: bytes.value };
  }
  let memoryBytes = 0;
  if (compute.cpuMemoryRequest != null) {
    const parsed = parseBytes(compute.cpuMemoryRequest);
    if (!parsed.ok)
      return fail(
        `${pod}.compute.cpuMemoryRequest`,
        `"${compute.cpuMemoryRequest}" is not a memory quantity (examples: 64Gi, 512M)`,
      );
    memoryBytes = parsed.value;
  }
  return { ok: true, value: { gpu, cpuMillis: Math.round((compute.cpuCoreRequest ?? 0) * 1000), memoryBytes } };
}

export function podAffinity(
  pod: RequestPodSpec,
  at: string,
): TopologyConstraint | { ok: false; message: string } | undefined {
  const affinity = pod.podAffinity;
  if (!affinity || (affinity.type == null && affinity.key == null)) return undefined;
  if (!affinity.key) return fail(`${at}.podAffinity.key`, 'is required with a podAffinity type');
  return { key: affinity.key, required: (affinity.type ?? 'Required') === 'Required' };
}

// Every workload keeps its spec for life: the common parts are shared, frozen values, so tens of thousands of
// workloads do not each carry their own copies for the garbage collector to trace.
export const NO_NODE_POOLS: readonly string[] = Object.freeze([]);
const NO_CONSTRAINTS: PodConstraints = Object.freeze({});
const NO_GPU: GpuRequest = Object.freeze({ kind: 'none' });
/** Shared requests for the device counts real nodes have (a count from a request cannot grow the table). */
const DEVICES: readonly GpuRequest[] = Array.from({ length: 65 }, (_, count) =>
  Object.freeze({ kind: 'devices', count }),
);
const PRIORITIES = new Map<string, ResolvedPriority>();

function gpuDevices(count: number): GpuRequest {
  return DEVICES[count] ?? { kind: 'devices', count };
}

export function priorityOf(
  className: PriorityClassName,
  preemptibility: 'preemptible' | 'non-preemptible' | null,
): ResolvedPriority {
  const key = preemptibility === null ? className : `${className}/${preemptibility}`;
  let priority = PRIORITIES.get(key);
  if (priority === undefined)
    PRIORITIES.set(key, (priority = Object.freeze(resolvePriority(className, preemptibility))));
  return priority;
}

export function fail(field: string, reason: string): { ok: false; message: string } {
  return { ok: false, message: `${field}: ${reason}` };
}
