/**
 * The model's workloads in the contract's shapes: `DistributedInference` (the distributed-inferences endpoints),
 * `Workload` / `WorkloadDetailed` (the workloads endpoints) and `Pod1` (the pods endpoint).
 */
import { GPU_UNITS, type PodResources } from '../../../sim/cluster/index.ts';
import type { Micros } from '../../../sim/engine/index.ts';
import { formatGpus, requestedGpus } from '../../../sim/scheduler/requests.ts';
import { projectNamespace } from '../../../sim/workloads/naming.ts';
import type { PendingReason } from '../../../sim/scheduler/index.ts';
import type { GroupState, PodState, WorkloadState } from '../../../sim/workloads/state.ts';
import type { Organisation } from '../../runai/organisation.ts';
import type { ClockFormat } from './clock-format.ts';
import { stableUuid } from '../../../sim/config/stable-uuid.ts';
import { withContractDefaults } from '../../contract/ajv.ts';

export interface PresentContext {
  readonly clusterId: string;
  readonly organisation: Organisation;
  readonly clock: ClockFormat;
  readonly now: Micros;
  /** The scheduler's reason for a waiting group. */
  pendingReason(group: GroupState): PendingReason | null;
  /** The serving URL of a workload, when it has one. */
  servingUrl(workload: Readonly<WorkloadState>): string | null;
}

type Json = Record<string, unknown>;

const TENANT_ID = 1;

/**
 * `DistributedInference`: the workload's meta fields and its spec as submitted (with the contract's defaults),
 * with the current replicas. `submitted` is the validated request when the caller has it at hand; else the
 * workload's text (kept as the client sent it) is read.
 */
export function presentDistributedInference(
  w: Readonly<WorkloadState>,
  ctx: PresentContext,
  submitted: unknown = submittedRequest(w),
): Json {
  const request = (submitted ?? {}) as { spec?: Json | null };
  return {
    ...workloadMeta(w, ctx),
    // Object.assign, not a spread followed by new keys: V8 adds each new key to a spread clone slowly (~1 µs).
    spec: Object.assign({}, request.spec, {
      workers: w.spec.workers,
      replicas: w.replicas,
      startupPolicy: w.spec.startupPolicy,
      restartPolicy: w.spec.restartPolicy,
      priorityClass: w.spec.priority.className,
      preemptibility: w.spec.priority.preemptible ? 'preemptible' : 'non-preemptible',
    }),
  };
}

/** `Training1`: the meta fields and the spec as submitted, with the priority the model resolved. */
export function presentTraining(
  w: Readonly<WorkloadState>,
  ctx: PresentContext,
  submitted = submittedRequest(w),
): Json {
  const request = (submitted ?? {}) as { spec?: Json | null };
  return {
    ...workloadMeta(w, ctx),
    spec: Object.assign({}, request.spec, {
      priorityClass: w.spec.priority.className,
      preemptibility: w.spec.priority.preemptible ? 'preemptible' : 'non-preemptible',
    }),
  };
}

/** What every workload's answer starts with (`WorkloadMeta`). A suspended training's desired phase is Stopped. */
function workloadMeta(w: Readonly<WorkloadState>, ctx: PresentContext): Json {
  const project = ctx.organisation.projectNamed(w.project)!;
  return {
    name: w.name,
    requestedName: w.requestedName,
    workloadId: w.id,
    projectId: project.id,
    departmentId: project.departmentId,
    clusterId: ctx.clusterId,
    createdBy: w.createdBy,
    createdAt: ctx.clock.iso(w.createdAt),
    deletedAt: ctx.clock.isoOrNull(w.deletedAt),
    desiredPhase: w.desiredPhase === 'Running' && w.replicas === 0 ? 'Stopped' : w.desiredPhase,
    actualPhase: w.phase,
  };
}

/** A workload's request as the client sent it, with the defaults its validation filled in when it was received. */
function submittedRequest(w: Readonly<WorkloadState>): unknown {
  const schema = w.spec.kind === 'training' ? 'TrainingCreationRequest' : 'DistributedInferenceCreationRequest';
  return withContractDefaults(schema, JSON.parse(w.request) as unknown);
}

/** `Workload` (and with `detailed`, `WorkloadDetailed`: plus pendingSchedulingMessages). */
export function presentWorkload(w: Readonly<WorkloadState>, ctx: PresentContext, detailed = false): Json {
  const training = w.spec.kind === 'training';
  const project = ctx.organisation.projectNamed(w.project)!;
  const pods = w.groups.flatMap((g) => g.pods);
  const running = pods.filter((p) => p.stage === 'LoadingModel' || p.stage === 'Ready').length;
  const groupSize = 1 + w.spec.workers;
  const allocatedUnits = pods.reduce(
    (sum, p) => sum + (p.binding ? p.binding.unitsPerGpu * p.binding.gpus.length : 0),
    0,
  );
  const waiting =
    w.groups
      .filter((g) => g.status === 'pending')
      .map((g) => ctx.pendingReason(g))
      .find((r) => r !== null) ?? null;
  const url = training ? null : ctx.servingUrl(w);
  const body: Json = {
    tenantId: TENANT_ID,
    runningPods: running,
    phaseUpdatedAt: ctx.clock.iso(w.phaseUpdatedAt),
    k8sPhaseUpdatedAt: ctx.clock.iso(w.phaseUpdatedAt),
    updatedAt: ctx.clock.iso(latestChange(w)),
    source: 'Control-plane',
    deletedAt: ctx.clock.isoOrNull(w.deletedAt),
    type: training ? 'training' : 'distributed-inference',
    name: w.name,
    id: w.id,
    priority: w.spec.priority.priority,
    priorityClassName: w.spec.priority.className,
    submittedBy: w.createdBy,
    clusterId: ctx.clusterId,
    projectName: w.project,
    projectId: project.id,
    departmentName: project.departmentName,
    departmentId: project.departmentId,
    namespace: projectNamespace(w.project),
    createdAt: ctx.clock.iso(w.createdAt),
    workloadRequestedResources: requested(
      w.spec.leader.resources,
      w.spec.worker?.resources ?? null,
      w.spec.workers,
      w.replicas,
    ),
    podsRequestedResources: requested(w.spec.leader.resources, w.spec.worker?.resources ?? null, w.spec.workers, 1),
    allocatedResources: { gpu: allocatedUnits / GPU_UNITS },
    actionsSupport: { delete: true, suspend: training },
    phase: w.phase,
    conditions: conditions(w, ctx, waiting),
    phaseMessage: w.phaseMessage,
    k8sPhase: running > 0 ? 'Running' : w.deletedAt !== null ? 'Deleted' : 'Pending',
    requestedPods: { number: w.replicas * groupSize },
    requestedNodePools: [...w.spec.nodePools],
    currentNodePools: [...new Set(pods.flatMap((p) => (p.pool ? [p.pool] : [])))],
    images: [
      ...new Set([w.spec.leader.image, ...(w.spec.worker ? [w.spec.worker.image] : [])].filter((i) => i !== '')),
    ],
    urls: url ? [url] : [],
    preemptible: w.spec.priority.preemptible,
    ...(training ? {} : { distributedFramework: 'LWS' }),
    category: training ? 'Train' : 'Deploy',
    totalPendingTimeSeconds: Math.round(pendingMicros(w, ctx.now) / 1e6),
    totalRunningTimeSeconds:
      w.firstRunningAt === null ? 0 : Math.round(((w.deletedAt ?? ctx.now) - w.firstRunningAt) / 1e6),
  };
  if (waiting && (waiting.code === 'OverLimit' || waiting.code === 'NonPreemptibleOverQuota'))
    body.phaseReason = waiting.code;
  if (detailed) body.pendingSchedulingMessages = pendingSchedulingMessages(w, ctx);
  return body;
}

/** Which pods a listing wants: those whose name contains `search`, from the `offset`-th, at most `limit`. */
export interface PodWindow {
  readonly search: string | undefined;
  readonly offset: number;
  readonly limit: number;
}

/**
 * `Pod1` for the pods of the workload in the window (terminating ones included; deleted workloads keep none),
 * and whether more match after it. Only the pods on the page are presented: a listing costs its page, not the
 * workload's size.
 */
export function presentPods(
  w: Readonly<WorkloadState>,
  ctx: PresentContext,
  window: PodWindow,
): { pods: Json[]; more: boolean } {
  const pods: Json[] = [];
  let matched = 0;
  for (const group of w.groups)
    for (const pod of group.pods) {
      if (window.search !== undefined && !pod.name.includes(window.search)) continue;
      if (matched++ < window.offset) continue;
      if (pods.length === window.limit) return { pods, more: true };
      pods.push(presentPod(w, group.index, pod, ctx));
    }
  return { pods, more: false };
}

/** A pod's API id: a new one for every incarnation, as Kubernetes gives a recreated pod a new uid. */
export function podId(w: Readonly<WorkloadState>, pod: Pick<PodState, 'name' | 'incarnation' | 'restarts'>): string {
  return stableUuid(`${w.id}/${pod.name}/${pod.incarnation}/${pod.restarts}`);
}

function presentPod(w: Readonly<WorkloadState>, group: number, pod: PodState, ctx: PresentContext): Json {
  const project = ctx.organisation.projectNamed(w.project)!;
  const template = pod.role === 'leader' ? w.spec.leader : (w.spec.worker ?? w.spec.leader);
  return {
    tenantId: TENANT_ID,
    name: pod.name,
    priorityClassName: w.spec.priority.className,
    id: podId(w, pod),
    workloadId: w.id,
    clusterId: ctx.clusterId,
    projectId: project.id,
    nodeName: pod.node,
    createdAt: ctx.clock.iso(pod.createdAt),
    completedAt: null,
    containers: [{ name: pod.role, image: template.image || 'unspecified', startedAt: startedAt(pod, ctx) }],
    currentNodePool: pod.pool,
    requestedNodePools: [...w.spec.nodePools],
    requestedResources: podRequest(template.resources),
    allocatedResources: pod.binding
      ? { gpu: (pod.binding.unitsPerGpu * pod.binding.gpus.length) / GPU_UNITS, cpu: pod.binding.cpuMillis / 1000 }
      : null,
    k8sPhase: k8sPhase(pod),
    ip: pod.node === null ? null : podIp(w.seq, group, pod.workerIndex),
    k8sPhaseUpdatedAt: ctx.clock.iso(pod.stageSince),
    updatedAt: ctx.clock.iso(pod.stageSince),
    deletedAt: null,
  };
}

function k8sPhase(pod: PodState): string {
  return pod.stage === 'Unscheduled' || pod.stage === 'PullingImage' || pod.stage === 'Starting'
    ? 'Pending'
    : 'Running';
}

function startedAt(pod: PodState, ctx: PresentContext): string | null {
  return pod.stage === 'LoadingModel' || pod.stage === 'Ready' ? ctx.clock.iso(pod.stageSince) : null;
}

/** A stable, plausible pod IP in 10.64.0.0/10 (never used for traffic: lwsim has no pod network). */
function podIp(workloadSeq: number, group: number, worker: number): string {
  const n = (workloadSeq * 4099 + group * 67 + worker) % (1 << 22);
  return `10.${64 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

function conditions(w: Readonly<WorkloadState>, ctx: PresentContext, waiting: PendingReason | null): Json[] {
  const at = ctx.clock.iso(w.phaseUpdatedAt);
  const scheduled = w.groups.every((g) => g.status !== 'pending');
  return [
    {
      type: 'Scheduled',
      status: scheduled ? 'True' : 'False',
      reason: waiting?.code ?? (scheduled ? 'Scheduled' : 'Pending'),
      message: waiting?.message ?? '',
      lastTransitionTime: at,
    },
    {
      type: 'Ready',
      status: w.phase === 'Running' ? 'True' : 'False',
      reason: w.phase,
      message: w.phaseMessage,
      lastTransitionTime: at,
    },
  ];
}

/** The contract's PendingSchedulingMessage only knows the quota reasons; placement failures go to phaseMessage. */
function pendingSchedulingMessages(w: Readonly<WorkloadState>, ctx: PresentContext): Json[] {
  const messages: Json[] = [];
  for (const group of w.groups) {
    if (group.status !== 'pending') continue;
    for (const reason of ctx.pendingReason(group)?.pools ?? []) {
      if (reason.code !== 'OverLimit' && reason.code !== 'NonPreemptibleOverQuota') continue;
      if (messages.some((m) => m.nodePool === reason.pool && m.phaseReason === reason.code)) continue;
      messages.push({
        nodePool: reason.pool,
        phaseReason: reason.code,
        reason: reason.message,
        orgType: reason.orgType ?? 'PROJECT',
        userMessage: reason.message,
      });
    }
  }
  return messages;
}

/** Time from submission until the scheduler first placed every group. */
function pendingMicros(w: Readonly<WorkloadState>, now: Micros): Micros {
  const end = w.firstScheduledAt ?? w.deletedAt ?? now;
  return Math.max(0, end - w.createdAt);
}

function latestChange(w: Readonly<WorkloadState>): Micros {
  let latest = w.phaseUpdatedAt;
  for (const group of w.groups) for (const pod of group.pods) if (pod.stageSince > latest) latest = pod.stageSince;
  return latest;
}

function podRequest(r: PodResources): Json {
  const body: Json = { cpu: { request: r.cpuMillis / 1000 }, cpuMemory: { request: String(r.memoryBytes) } };
  if (r.gpu.kind === 'memory') {
    body.gpuRequestType = 'memory';
    body.gpuMemory = { request: String(r.gpu.bytes) };
  } else if (r.gpu.kind === 'portion') {
    body.gpuRequestType = 'portion';
    body.gpu = { request: r.gpu.portion };
  } else {
    body.gpu = { request: requestedGpus(r.gpu) };
  }
  return body;
}

/** Requested resources summed over `replicas` groups of a leader and `workers` workers. */
function requested(leader: PodResources, worker: PodResources | null, workers: number, replicas: number): Json {
  const perGroup = (pick: (r: PodResources) => number): number => pick(leader) + (worker ? workers * pick(worker) : 0);
  return {
    gpu: { request: Number(formatGpus(perGroup((r) => requestedGpus(r.gpu)) * replicas * GPU_UNITS)) },
    cpu: { request: (perGroup((r) => r.cpuMillis) * replicas) / 1000 },
    cpuMemory: { request: String(perGroup((r) => r.memoryBytes) * replicas) },
  };
}
