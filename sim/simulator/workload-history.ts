// What happened to each workload, as Kubernetes and Run:ai would have recorded it: events on its pods and pod
// groups (created, scheduled, pulled, started, killed, preempted, failed …), its phase changes, and what it held
// over time (pods, running pods, GPUs, CPU, memory). Built by watching the model, so a replayed journal rebuilds
// it exactly; bounded per workload, and forgotten when the workload is deleted (the API no longer shows it).
import { GPU_UNITS } from '../cluster/index.ts';
import type { Micros } from '../engine/index.ts';
import type { CycleReport } from '../scheduler/index.ts';
import type { GroupState, PodStage, PodState, WorkloadPhase, WorkloadState } from '../workloads/state.ts';
import type { SimulatedCluster } from './simulated-cluster.ts';

/** The object an event is about; a pod's incarnation and restarts name the exact pod (its API id). */
export type EventObject =
  | { readonly kind: 'DistributedInference'; readonly name: string }
  | { readonly kind: 'PodGroup'; readonly name: string }
  | { readonly kind: 'Pod'; readonly name: string; readonly incarnation: number; readonly restarts: number };

export type EventReason =
  | 'Created'
  | 'SuccessfulCreate'
  | 'Scheduled'
  | 'Pulling'
  | 'Pulled'
  | 'Started'
  | 'Killing'
  | 'BackOff'
  | 'NodeNotReady'
  | 'Failed'
  | 'Unschedulable'
  | 'Preempted'
  | 'Reclaimed';

/**
 * One event, kept small: its message is written when read (`eventMessage`), from `detail` — a string the model
 * already holds (a node name, an image, the scheduler's reason) — so recording one allocates next to nothing.
 */
export interface WorkloadEvent {
  readonly kind: 'event';
  readonly seq: number;
  readonly at: Micros;
  readonly reason: EventReason;
  readonly object: EventObject;
  readonly detail: string;
}

const WARNINGS: ReadonlySet<EventReason> = new Set([
  'BackOff',
  'NodeNotReady',
  'Failed',
  'Unschedulable',
  'Preempted',
  'Reclaimed',
]);

export function eventType(e: WorkloadEvent): 'Normal' | 'Warning' {
  return WARNINGS.has(e.reason) ? 'Warning' : 'Normal';
}

/** The component that reported it, as Kubernetes names them. */
export function eventSource(
  e: WorkloadEvent,
): 'kubelet' | 'runai-scheduler' | 'lws-controller' | 'workload-controller' {
  if (e.object.kind === 'DistributedInference') return 'workload-controller';
  if (e.reason === 'SuccessfulCreate') return 'lws-controller';
  if (e.object.kind === 'PodGroup' || e.reason === 'Scheduled') return 'runai-scheduler';
  return 'kubelet';
}

export function eventMessage(e: WorkloadEvent): string {
  const name = e.object.name;
  switch (e.reason) {
    case 'Created':
      return e.object.kind === 'Pod' ? `Created container of pod ${name}` : `Created ${e.detail} ${name}`;
    case 'SuccessfulCreate':
      return `Created pod ${name}`;
    case 'Scheduled':
      return `Successfully assigned ${name} to ${e.detail}`;
    case 'Pulling':
      return `Pulling image "${e.detail}"`;
    case 'Pulled':
      return `Successfully pulled image "${e.detail}"`;
    case 'Started':
      return `Started container of pod ${name}`;
    case 'Killing':
      return `Stopping container of pod ${name}`;
    case 'BackOff':
      return `Back-off restarting failed container of pod ${name}`;
    case 'NodeNotReady':
      return `Node ${e.detail} is not ready; pod ${name} is recreated`;
    case 'Failed':
      return `A container of pod ${name} failed; its group is recreated`;
    case 'Unschedulable':
    case 'Preempted':
    case 'Reclaimed':
      return e.detail;
  }
}

export interface PhaseRecord {
  readonly kind: 'phase';
  readonly seq: number;
  readonly at: Micros;
  readonly phase: WorkloadPhase;
  readonly message: string;
}

export type WorkloadRecord = WorkloadEvent | PhaseRecord;

/** What the workload held from `at` until the next point. */
export interface AllocationPoint {
  readonly at: Micros;
  readonly pods: number;
  /** Pods whose containers run (Kubernetes phase Running): loading the model or ready. */
  readonly runningPods: number;
  /** GPU devices allocated (fractions add up). */
  readonly gpus: number;
  readonly gpuMemoryBytes: number;
  readonly cpuMillis: number;
  readonly memoryBytes: number;
}

export interface HistoryLimits {
  /** Records kept per workload (oldest dropped first). */
  readonly recordsPerWorkload: number;
  /** Allocation points kept per workload (oldest dropped first). */
  readonly pointsPerWorkload: number;
}

export const DEFAULT_HISTORY_LIMITS: HistoryLimits = {
  recordsPerWorkload: 1000,
  pointsPerWorkload: 4096,
};

/** How far a pod's start has gone: each step passed is an event. */
const PROGRESS: Record<PodStage, number> = {
  Unscheduled: 0,
  PullingImage: 1,
  Starting: 2,
  LoadingModel: 3,
  Ready: 4,
  Terminating: -1,
};

/** A pod as last seen (updated in place). */
interface PodSeen {
  incarnation: number;
  stage: PodStage;
  node: string | null;
  restarts: number;
}

interface Kept {
  readonly records: WorkloadRecord[];
  readonly points: AllocationPoint[];
  readonly pods: Map<string, PodSeen>;
  /** The last pending reason told, by group index. */
  readonly pending: (string | undefined)[];
}

/** A WorkloadHistory as plain data (see model-snapshot.ts). */
export interface WorkloadHistorySnapshot {
  readonly seq: number;
  readonly instant: { readonly at: Micros; readonly evicted: readonly string[]; readonly nodesDown: readonly string[] };
  /** [workload seq, what is kept of it]; `pending` holes are null. */
  readonly kept: readonly (readonly [number, KeptSnapshot])[];
}

interface KeptSnapshot {
  readonly records: readonly WorkloadRecord[];
  readonly points: readonly AllocationPoint[];
  readonly pods: readonly (readonly [string, PodSeen])[];
  readonly pending: readonly (string | null)[];
}

export class WorkloadHistory {
  /** By workload seq (dense, like the model's table): a Map of 100,000 id strings costs more per create. */
  private readonly kept: (Kept | undefined)[] = [];
  private seq = 0;
  /** What displaced pods at this instant: evictions (by gang) and nodes gone not ready. */
  private instant: { at: Micros; evicted: Set<string>; nodesDown: Set<string> } = {
    at: -1,
    evicted: new Set(),
    nodesDown: new Set(),
  };

  constructor(
    private readonly cluster: SimulatedCluster,
    private readonly limits: HistoryLimits = DEFAULT_HISTORY_LIMITS,
  ) {
    const o = cluster.observers;
    o.on('workload-created', (w) => this.created(w));
    o.on('workload-touched', (w) => this.touched(w));
    o.on('workload-phase', (w) => this.phase(w));
    o.on('workload-deleted', (w) => void (this.kept[w.seq] = undefined));
    o.on('scheduling-cycle', (report) => this.cycle(report));
    o.on('node-ready', (node, ready) => {
      if (!ready) this.now().nodesDown.add(node);
    });
  }

  /** Events and phase updates of a workload, oldest first; undefined for a workload never seen or forgotten. */
  records(workloadId: string): readonly WorkloadRecord[] | undefined {
    return this.keptOf(workloadId)?.records;
  }

  /** What the workload held over time, oldest first (a step function). */
  allocation(workloadId: string): readonly AllocationPoint[] | undefined {
    return this.keptOf(workloadId)?.points;
  }

  /** Everything kept, as data that shares this history's objects (serialise it at once). */
  snapshot(): WorkloadHistorySnapshot {
    const kept: [number, KeptSnapshot][] = [];
    this.kept.forEach((k, seq) => {
      if (k === undefined) return;
      const pending = Array.from(k.pending, (p) => p ?? null);
      kept.push([seq, { records: k.records, points: k.points, pods: [...k.pods], pending }]);
    });
    const { at, evicted, nodesDown } = this.instant;
    return { seq: this.seq, instant: { at, evicted: [...evicted], nodesDown: [...nodesDown] }, kept };
  }

  /** Takes the state of a snapshot (into a history that has seen nothing yet). */
  restore(s: WorkloadHistorySnapshot): void {
    this.seq = s.seq;
    this.instant = { at: s.instant.at, evicted: new Set(s.instant.evicted), nodesDown: new Set(s.instant.nodesDown) };
    this.kept.length = 0;
    for (const [seq, k] of s.kept)
      this.kept[seq] = {
        records: [...k.records],
        points: [...k.points],
        pods: new Map(k.pods.map(([name, seen]) => [name, { ...seen }])),
        pending: k.pending.map((p) => p ?? undefined),
      };
  }

  private keptOf(workloadId: string): Kept | undefined {
    const w = this.cluster.workload(workloadId);
    return w === undefined ? undefined : this.kept[w.seq];
  }

  private created(w: WorkloadState): void {
    this.kept[w.seq] = { records: [], points: [], pods: new Map(), pending: [] };
    const kind = w.spec.kind === 'training' ? 'training' : 'distributed inference';
    this.event(w, 'Created', { kind: 'DistributedInference', name: w.name }, kind);
    this.phase(w);
    this.point(w);
  }

  private cycle(report: CycleReport): void {
    for (const eviction of report.evictions) {
      const id = eviction.victim.spec.id;
      const workload = this.cluster.workload(id.slice(0, id.indexOf('/')));
      if (workload === undefined) continue;
      this.now().evicted.add(workload.id);
      const reason = eviction.action === 'reclaim' ? 'Reclaimed' : 'Preempted';
      this.event(workload, reason, { kind: 'PodGroup', name: podGroupName(workload, id) }, eviction.message);
    }
  }

  /** The workload's groups or pods may have changed: record what did. */
  private touched(w: WorkloadState): void {
    const kept = this.kept[w.seq];
    if (kept === undefined) return;
    let count = 0;
    for (const group of w.groups) {
      for (const pod of group.pods) {
        count++;
        const seen = kept.pods.get(pod.name);
        this.podChanges(w, pod, seen);
        if (seen === undefined) kept.pods.set(pod.name, podSeen(pod));
        else
          Object.assign(seen, {
            incarnation: pod.incarnation,
            stage: pod.stage,
            node: pod.node,
            restarts: pod.restarts,
          });
      }
      this.pendingReason(w, kept, group);
    }
    // Pods gone (a group terminated, workers of a LeaderReady group reset): forget them.
    if (kept.pods.size > count) {
      const present = new Set(w.groups.flatMap((g) => g.pods.map((p) => p.name)));
      for (const name of kept.pods.keys()) if (!present.has(name)) kept.pods.delete(name);
    }
    this.point(w);
  }

  private pendingReason(w: WorkloadState, kept: Kept, group: GroupState): void {
    const message = group.status === 'pending' ? this.cluster.pendingReason(group)?.message : undefined;
    if (message === undefined) {
      kept.pending[group.index] = undefined;
      return;
    }
    if (kept.pending[group.index] === message) return;
    kept.pending[group.index] = message;
    this.event(w, 'Unschedulable', { kind: 'PodGroup', name: podGroupName(w, group.gang) }, message);
  }

  /** The events a pod's change since it was last seen stands for, in the order they happened. */
  private podChanges(w: WorkloadState, pod: PodState, seen: PodSeen | undefined): void {
    let from = seen === undefined ? -2 : PROGRESS[seen.stage];
    const to = PROGRESS[pod.stage];
    // Most touches change nothing of a pod: nothing to tell, nothing to allocate.
    if (seen !== undefined && seen.incarnation === pod.incarnation && from === to) return;
    const object: EventObject = { kind: 'Pod', name: pod.name, incarnation: pod.incarnation, restarts: pod.restarts };
    if (seen !== undefined && seen.incarnation !== pod.incarnation) {
      // A new incarnation: its container restarted in place, or the pod was recreated after losing its node.
      if (pod.node !== null && pod.node === seen.node) {
        this.event(w, 'BackOff', object, '');
        from = PROGRESS.Starting;
      } else {
        if (seen.node !== null && seen.stage !== 'Terminating')
          this.event(w, 'Killing', { ...object, incarnation: seen.incarnation, restarts: seen.restarts }, '');
        if (seen.node !== null && this.now().nodesDown.has(seen.node)) this.event(w, 'NodeNotReady', object, seen.node);
        else if (!this.now().evicted.has(w.id)) this.event(w, 'Failed', object, '');
        from = -2;
      }
    }
    if (from === -2) {
      this.event(w, 'SuccessfulCreate', object, '');
      from = PROGRESS.Unscheduled;
    }
    if (to === -1) {
      if (from !== -1) this.event(w, 'Killing', object, '');
      return;
    }
    const image = pod.role === 'leader' ? w.spec.leader.image : (w.spec.worker?.image ?? w.spec.leader.image);
    if (from < 1 && to >= 1) {
      this.event(w, 'Scheduled', object, pod.node ?? '');
      this.event(w, 'Pulling', object, image);
    }
    if (from < 2 && to >= 2) this.event(w, 'Pulled', object, image);
    if (from < 3 && to >= 3) {
      this.event(w, 'Created', object, '');
      this.event(w, 'Started', object, '');
    }
  }

  private phase(w: WorkloadState): void {
    this.push(w, { kind: 'phase', seq: this.seq++, at: this.cluster.now, phase: w.phase, message: w.phaseMessage });
  }

  private event(w: WorkloadState, reason: EventReason, object: EventObject, detail: string): void {
    this.push(w, { kind: 'event', seq: this.seq++, at: this.cluster.now, reason, object, detail });
  }

  private push(w: WorkloadState, record: WorkloadRecord): void {
    const kept = this.kept[w.seq];
    if (kept === undefined) return;
    kept.records.push(record);
    // Drop a tenth at a time, so the cost stays amortised.
    if (kept.records.length > this.limits.recordsPerWorkload)
      kept.records.splice(0, Math.max(1, Math.ceil(this.limits.recordsPerWorkload / 10)));
  }

  private point(w: WorkloadState): void {
    const kept = this.kept[w.seq];
    if (kept === undefined) return;
    const layout = this.cluster.scheduler.cluster.layout;
    let pods = 0;
    let runningPods = 0;
    let gpus = 0;
    let gpuMemoryBytes = 0;
    let cpuMillis = 0;
    let memoryBytes = 0;
    for (const group of w.groups)
      for (const pod of group.pods) {
        pods++;
        if (pod.stage === 'LoadingModel' || pod.stage === 'Ready') runningPods++;
        const b = pod.binding;
        if (b === null) continue;
        const devices = (b.unitsPerGpu * b.gpus.length) / GPU_UNITS;
        gpus += devices;
        gpuMemoryBytes += devices * layout.nodes[b.node]!.gpuMemoryBytes;
        cpuMillis += b.cpuMillis;
        memoryBytes += b.memoryBytes;
      }
    const point = { at: this.cluster.now, pods, runningPods, gpus, gpuMemoryBytes, cpuMillis, memoryBytes };
    const last = kept.points[kept.points.length - 1];
    if (last !== undefined && sameHoldings(last, point)) return;
    if (last !== undefined && last.at === point.at) kept.points.pop();
    kept.points.push(point);
    if (kept.points.length > this.limits.pointsPerWorkload)
      kept.points.splice(0, Math.floor(this.limits.pointsPerWorkload / 2));
  }

  /** The notes of the current instant (cleared when the clock has moved). */
  private now(): WorkloadHistory['instant'] {
    if (this.instant.at !== this.cluster.now)
      this.instant = { at: this.cluster.now, evicted: new Set(), nodesDown: new Set() };
    return this.instant;
  }
}

function podSeen({ incarnation, stage, node, restarts }: PodState): PodSeen {
  return { incarnation, stage, node, restarts };
}

/** Run:ai names a group's pod group after the workload and the group (`pg-<workload>-<group>`). */
function podGroupName(w: WorkloadState, gang: string): string {
  return `pg-${w.name}-${gang.split('/')[1]}`;
}

function sameHoldings(a: AllocationPoint, b: AllocationPoint): boolean {
  return (
    a.pods === b.pods &&
    a.runningPods === b.runningPods &&
    a.gpus === b.gpus &&
    a.gpuMemoryBytes === b.gpuMemoryBytes &&
    a.cpuMillis === b.cpuMillis &&
    a.memoryBytes === b.memoryBytes
  );
}
