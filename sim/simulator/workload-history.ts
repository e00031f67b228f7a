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

export interface WorkloadEvent {
  readonly kind: 'event';
  readonly seq: number;
  readonly at: Micros;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  /** The component that reported it, as Kubernetes names them. */
  readonly source: 'kubelet' | 'runai-scheduler' | 'lws-controller' | 'workload-controller';
  readonly object: EventObject;
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

interface PodSeen {
  readonly incarnation: number;
  readonly stage: PodStage;
  readonly node: string | null;
  readonly restarts: number;
}

interface Kept {
  readonly records: WorkloadRecord[];
  readonly points: AllocationPoint[];
  readonly pods: Map<string, PodSeen>;
  /** The last pending reason told per group index. */
  readonly pending: Map<number, string>;
}

export class WorkloadHistory {
  private readonly kept = new Map<string, Kept>();
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
    o.on('workload-phase', (w) => this.record(w, { kind: 'phase', phase: w.phase, message: w.phaseMessage }));
    o.on('workload-deleted', (w) => void this.kept.delete(w.id));
    o.on('scheduling-cycle', (report) => this.cycle(report));
    o.on('node-ready', (node, ready) => {
      if (!ready) this.now().nodesDown.add(node);
    });
  }

  /** Events and phase updates of a workload, oldest first; undefined for a workload never seen or forgotten. */
  records(workloadId: string): readonly WorkloadRecord[] | undefined {
    return this.kept.get(workloadId)?.records;
  }

  /** What the workload held over time, oldest first (a step function). */
  allocation(workloadId: string): readonly AllocationPoint[] | undefined {
    return this.kept.get(workloadId)?.points;
  }

  private created(w: WorkloadState): void {
    this.kept.set(w.id, { records: [], points: [], pods: new Map(), pending: new Map() });
    this.event(w, 'Normal', 'Created', `Created distributed inference ${w.name}`, 'workload-controller', {
      kind: 'DistributedInference',
      name: w.name,
    });
    this.record(w, { kind: 'phase', phase: w.phase, message: w.phaseMessage });
    this.point(w);
  }

  private cycle(report: CycleReport): void {
    for (const eviction of report.evictions) {
      const id = eviction.victim.spec.id;
      const workload = this.cluster.workload(id.slice(0, id.indexOf('/')));
      if (workload === undefined) continue;
      this.now().evicted.add(workload.id);
      const reason = eviction.action === 'reclaim' ? 'Reclaimed' : 'Preempted';
      this.event(workload, 'Warning', reason, eviction.message, 'runai-scheduler', {
        kind: 'PodGroup',
        name: podGroupName(workload, id),
      });
    }
  }

  /** The workload's groups or pods may have changed: record what did. */
  private touched(w: WorkloadState): void {
    const kept = this.kept.get(w.id);
    if (kept === undefined) return;
    const present = new Set<string>();
    for (const group of w.groups) {
      for (const pod of group.pods) {
        present.add(pod.name);
        this.podChanges(w, pod, kept.pods.get(pod.name));
        const { incarnation, stage, node, restarts } = pod;
        kept.pods.set(pod.name, { incarnation, stage, node, restarts });
      }
      this.pendingReason(w, kept, group);
    }
    for (const name of kept.pods.keys()) if (!present.has(name)) kept.pods.delete(name);
    this.point(w);
  }

  private pendingReason(w: WorkloadState, kept: Kept, group: GroupState): void {
    const message = group.status === 'pending' ? this.cluster.pendingReason(group)?.message : undefined;
    if (message === undefined) {
      kept.pending.delete(group.index);
      return;
    }
    if (kept.pending.get(group.index) === message) return;
    kept.pending.set(group.index, message);
    this.event(w, 'Warning', 'Unschedulable', message, 'runai-scheduler', {
      kind: 'PodGroup',
      name: podGroupName(w, group.gang),
    });
  }

  /** The events a pod's change since it was last seen stands for, in the order they happened. */
  private podChanges(w: WorkloadState, pod: PodState, seen: PodSeen | undefined): void {
    const object: EventObject = { kind: 'Pod', name: pod.name, incarnation: pod.incarnation, restarts: pod.restarts };
    const tell = (type: WorkloadEvent['type'], reason: string, message: string, source: WorkloadEvent['source']) =>
      this.event(w, type, reason, message, source, object);
    let from = seen === undefined ? -2 : PROGRESS[seen.stage];
    if (seen !== undefined && seen.incarnation !== pod.incarnation) {
      // A new incarnation: its container restarted in place, or the pod was recreated after losing its node.
      const restartedInPlace = pod.node !== null && pod.node === seen.node;
      if (restartedInPlace) {
        tell('Warning', 'BackOff', `Back-off restarting failed container of pod ${pod.name}`, 'kubelet');
        from = PROGRESS.Starting;
      } else {
        if (seen.node !== null && seen.stage !== 'Terminating')
          this.event(w, 'Normal', 'Killing', `Stopping container of pod ${pod.name}`, 'kubelet', {
            kind: 'Pod',
            name: pod.name,
            incarnation: seen.incarnation,
            restarts: seen.restarts,
          });
        if (seen.node !== null && this.now().nodesDown.has(seen.node))
          tell('Warning', 'NodeNotReady', `Node ${seen.node} is not ready; pod ${pod.name} is recreated`, 'kubelet');
        else if (!this.now().evicted.has(w.id))
          tell('Warning', 'Failed', `A container of pod ${pod.name} failed; its group is recreated`, 'kubelet');
        from = -2;
      }
    }
    if (from === -2) {
      tell('Normal', 'SuccessfulCreate', `Created pod ${pod.name}`, 'lws-controller');
      from = PROGRESS.Unscheduled;
    }
    const to = PROGRESS[pod.stage];
    if (to === -1) {
      if (from !== -1) tell('Normal', 'Killing', `Stopping container of pod ${pod.name}`, 'kubelet');
      return;
    }
    const image = pod.role === 'leader' ? w.spec.leader.image : (w.spec.worker?.image ?? w.spec.leader.image);
    if (from < 1 && to >= 1) {
      tell('Normal', 'Scheduled', `Successfully assigned ${pod.name} to ${pod.node}`, 'runai-scheduler');
      tell('Normal', 'Pulling', `Pulling image "${image}"`, 'kubelet');
    }
    if (from < 2 && to >= 2) tell('Normal', 'Pulled', `Successfully pulled image "${image}"`, 'kubelet');
    if (from < 3 && to >= 3) {
      tell('Normal', 'Created', `Created container of pod ${pod.name}`, 'kubelet');
      tell('Normal', 'Started', `Started container of pod ${pod.name}`, 'kubelet');
    }
  }

  private event(
    w: WorkloadState,
    type: WorkloadEvent['type'],
    reason: string,
    message: string,
    source: WorkloadEvent['source'],
    object: EventObject,
  ): void {
    this.record(w, { kind: 'event', type, reason, message, source, object });
  }

  private record(w: WorkloadState, record: DistributiveOmit<WorkloadRecord, 'seq' | 'at'>): void {
    const kept = this.kept.get(w.id);
    if (kept === undefined) return;
    kept.records.push({ ...record, seq: this.seq++, at: this.cluster.now } as WorkloadRecord);
    // Drop a tenth at a time, so the cost stays amortised.
    if (kept.records.length > this.limits.recordsPerWorkload)
      kept.records.splice(0, Math.max(1, Math.ceil(this.limits.recordsPerWorkload / 10)));
  }

  private point(w: WorkloadState): void {
    const kept = this.kept.get(w.id);
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

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

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
