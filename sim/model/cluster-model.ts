import { EventEmitter } from 'eventemitter3';
import { buildCluster, type ClusterSpec } from '../cluster/index.ts';
import { UuidNamespace } from '../config/stable-uuid.ts';
import { Simulation, type Micros } from '../engine/index.ts';
import { Scheduler, type CycleReport, type SchedulerConfig } from '../scheduler/index.ts';
import { LwsController, type ControllerEvent } from '../workloads/controller.ts';
import { DEFAULT_DELAYS, type LifecycleDelays } from '../workloads/delays.ts';
import { derivePhase } from '../workloads/phase.ts';
import type { InferenceSpec } from '../workloads/spec.ts';
import type { GroupState, WorkloadPhase, WorkloadState } from '../workloads/state.ts';
import { KeyIndex } from './key-index.ts';

export type ModelEvent =
  | ControllerEvent
  | { readonly type: 'schedule' }
  /** A job may have run its time: valid only if `token` is still the workload's run token. */
  | { readonly type: 'run-complete'; readonly workload: string; readonly token: number };

export interface ModelOptions {
  readonly seed?: number;
  readonly delays?: LifecycleDelays;
  /** Cycle period, actions and search budgets; default DEFAULT_SCHEDULER_CONFIG. */
  readonly scheduler?: SchedulerConfig;
}

export interface CreateWorkload {
  readonly spec: InferenceSpec;
  /** Append a random suffix to the name (Run:ai's useGivenNameAsPrefix). */
  readonly useGivenNameAsPrefix: boolean;
  readonly createdBy: string;
  /**
   * The request as submitted, as JSON text, kept for echoing back: opaque to the model, and one flat string
   * rather than a tree of objects for the collector to trace, for every workload the model keeps.
   */
  readonly request: string;
}

export type ModelError = { ok: false; error: 'not-found' | 'conflict' | 'invalid'; message: string };
export type ModelResult<T> = { ok: true; value: T } | ModelError;

/** What the model tells its observers (the API's event stream, reports). */
export interface ModelObservers {
  'workload-created': (workload: WorkloadState) => void;
  'workload-phase': (workload: WorkloadState, previous: WorkloadPhase) => void;
  'workload-deleted': (workload: WorkloadState) => void;
  'scheduling-cycle': (report: CycleReport) => void;
  'node-ready': (node: string, ready: boolean) => void;
}

/**
 * The whole simulated cluster: the engine's clock and queue, the scheduler over the cluster state, and the LWS
 * controller over the workloads. Commands (create, scale, delete, faults) apply at the current simulated time;
 * everything that follows from them happens through events. Deterministic for a seed, and forkable.
 */
export class ClusterModel {
  readonly observers = new EventEmitter<ModelObservers>();
  /** Every workload ever created (deleted ones included), at the index of its `seq`. */
  private workloads: WorkloadState[] = [];
  // How the indexes read a workload's keys back: made once, and bound to this model's table (a fork has its own).
  private readonly idAt = (seq: number): string => this.workloads[seq]!.id;
  private readonly nameAt = (seq: number): string => this.workloads[seq]!.name;
  /** Workload id -> seq. */
  private ids = new KeyIndex(this.idAt);
  /** Project -> name -> seq, for workloads not deleted. */
  private active = new Map<string, KeyIndex>();
  private nextSeq = 0;
  private cycleRequested = false;
  private changes = 0;
  private gangSerial = 0;
  private readonly touched = new Set<WorkloadState>();
  /** Per job: the token of its pending run-complete event (older events are stale). */
  private runTokens = new Map<string, number>();
  /** Workloads the scheduler has not looked at yet (phase Creating). */
  private creating: WorkloadState[] = [];
  /** Why a group waits, as derivePhase asks it: one function for the model's life, not one per phase derived. */
  private readonly pendingMessage = (group: GroupState): string | null => this.pendingReason(group)?.message ?? null;
  private readonly controller: LwsController;
  private readonly departmentOf: ReadonlyMap<string, string>;
  /** Workload ids: `stableUuid(<cluster id>/workload/<seq>)`, with the common prefix hashed once. */
  private readonly workloadIds: UuidNamespace;

  private constructor(
    readonly spec: ClusterSpec,
    readonly sim: Simulation<ModelEvent>,
    readonly scheduler: Scheduler,
    readonly delays: LifecycleDelays,
  ) {
    this.departmentOf = new Map(spec.departments.flatMap((d) => d.projects.map((p) => [p.name, d.name] as const)));
    this.workloadIds = new UuidNamespace(`${spec.id}/workload/`);
    this.controller = new LwsController({
      get now() {
        return sim.now;
      },
      random: sim.random,
      delays,
      scheduler,
      after: (delay, event) => void this.sim.after(delay, event),
      requestCycle: () => this.requestCycle(),
      touch: (workload) => void this.touched.add(workload),
      nextGangSerial: () => this.gangSerial++,
    });
    sim.bind((event) => this.dispatch(event));
  }

  static create(spec: ClusterSpec, options: ModelOptions = {}): ClusterModel {
    const built = buildCluster(spec);
    if (!built.ok) throw new Error(`invalid cluster: ${built.errors.map((e) => e.message).join('; ')}`);
    const sim = new Simulation<ModelEvent>({ seed: options.seed ?? 1 });
    return new ClusterModel(
      spec,
      sim,
      new Scheduler(built.cluster, spec.departments, { config: options.scheduler }),
      options.delays ?? DEFAULT_DELAYS,
    );
  }

  get now(): Micros {
    return this.sim.now;
  }

  /** Grows with every event and command: equal revisions mean nothing observable changed (for caches). */
  get revision(): number {
    return this.changes;
  }

  /** Runs everything that happens up to `time` (inclusive) and moves the clock there. */
  advanceTo(time: Micros): void {
    this.sim.runUntil(Math.max(time, this.sim.now));
    this.flushPhases();
  }

  // ---- commands -------------------------------------------------------------------------------------------

  createWorkload(input: CreateWorkload): ModelResult<WorkloadState> {
    this.changes++;
    const { spec } = input;
    const department = this.departmentOf.get(spec.project);
    if (department === undefined) return invalid(`project ${spec.project} does not exist in cluster ${this.spec.name}`);
    const unknownPool = spec.nodePools.find((p) => !this.spec.nodePools.some((pool) => pool.name === p));
    if (unknownPool !== undefined) return invalid(`spec.nodePools: node pool ${unknownPool} does not exist`);
    if (spec.workers > 0 && spec.worker === null) return invalid('spec.worker is required when spec.workers > 0');
    let names = this.active.get(spec.project);
    if (names === undefined) this.active.set(spec.project, (names = new KeyIndex(this.nameAt)));
    // A generated name is free by construction; only a given one can conflict.
    const name = input.useGivenNameAsPrefix ? this.uniqueName(names, spec.name) : spec.name;
    if (!input.useGivenNameAsPrefix && names.find(name) >= 0) {
      return {
        ok: false,
        error: 'conflict',
        message: `a workload named ${name} already exists in project ${spec.project}`,
      };
    }
    const seq = this.nextSeq++;
    const workload: WorkloadState = {
      id: this.workloadIds.uuid(String(seq)),
      seq,
      name,
      requestedName: spec.name,
      project: spec.project,
      department,
      createdBy: input.createdBy,
      createdAt: this.now,
      spec,
      request: input.request,
      replicas: spec.replicas,
      groups: [],
      desiredPhase: 'Running',
      deletedAt: null,
      phase: 'Creating',
      phaseMessage: '',
      phaseUpdatedAt: this.now,
      creating: true,
      updating: false,
      evictions: 0,
      ranMicros: 0,
      runningSince: null,
      completedAt: null,
      firstScheduledAt: null,
      firstRunningAt: null,
    };
    this.workloads[seq] = workload;
    this.ids.add(workload.id, seq);
    names.add(name, seq);
    for (let i = 0; i < spec.replicas; i++) this.controller.createGroup(workload, i);
    this.touched.add(workload);
    this.creating.push(workload);
    this.requestCycle();
    this.observers.emit('workload-created', workload);
    this.flushPhases();
    return { ok: true, value: workload };
  }

  /** Scales to `replicas` groups: new groups get the missing indexes; scaling down removes the highest first. */
  scaleWorkload(id: string, replicas: number): ModelResult<WorkloadState> {
    this.changes++;
    const workload = this.liveWorkload(id);
    if (!workload.ok) return workload;
    const w = workload.value;
    if (w.completedAt !== null)
      return { ok: false, error: 'conflict', message: `workload ${w.name} has completed; it cannot be scaled` };
    if (!Number.isInteger(replicas) || replicas < 0)
      return invalid(`spec.replicas must be a non-negative integer, got ${replicas}`);
    if (replicas !== w.replicas) {
      w.replicas = replicas;
      w.updating = true;
      const present = new Set(w.groups.filter((g) => g.status !== 'terminating').map((g) => g.index));
      for (let i = 0; i < replicas; i++) if (!present.has(i)) this.controller.createGroup(w, i);
      for (const group of [...w.groups].reverse())
        if (group.index >= replicas) this.controller.terminateGroup(w, group);
      this.touched.add(w);
      this.requestCycle();
    }
    this.flushPhases();
    return { ok: true, value: w };
  }

  /** Deletes a workload: its pods terminate, then it is gone (kept in the history with deletedAt). */
  deleteWorkload(id: string): ModelResult<WorkloadState> {
    this.changes++;
    const workload = this.liveWorkload(id);
    if (!workload.ok) return workload;
    const w = workload.value;
    w.desiredPhase = 'Deleted';
    for (const group of [...w.groups]) this.controller.terminateGroup(w, group);
    if (w.groups.length === 0) this.finishDeletion(w);
    this.touched.add(w);
    this.flushPhases();
    return { ok: true, value: w };
  }

  /** A node goes down (or comes back). Groups with a pod on it lose their placement and are placed again. */
  setNodeReady(nodeName: string, ready: boolean): ModelResult<string> {
    this.changes++;
    const node = this.scheduler.cluster.layout.nodeByName(nodeName);
    if (node === undefined) return { ok: false, error: 'not-found', message: `node ${nodeName} does not exist` };
    for (const gang of this.scheduler.setNodeReady(node.index, ready, this.now)) {
      const found = this.groupOfGang(gang.spec.id);
      if (found) this.controller.onDisplaced(found.workload, found.group, false);
    }
    this.requestCycle();
    this.observers.emit('node-ready', nodeName, ready);
    this.flushPhases();
    return { ok: true, value: nodeName };
  }

  /** A pod's container fails; the restart policy decides what is recreated. */
  failPod(workloadId: string, podName: string): ModelResult<WorkloadState> {
    this.changes++;
    const workload = this.liveWorkload(workloadId);
    if (!workload.ok) return workload;
    const w = workload.value;
    for (const group of w.groups) {
      const pod = group.pods.find((p) => p.name === podName);
      if (pod && group.status !== 'terminating') {
        this.controller.failPod(w, group, pod);
        this.flushPhases();
        return { ok: true, value: w };
      }
    }
    return { ok: false, error: 'not-found', message: `pod ${podName} is not a live pod of workload ${w.name}` };
  }

  // ---- queries --------------------------------------------------------------------------------------------

  /** A workload by id, deleted ones included. */
  workload(id: string): Readonly<WorkloadState> | undefined {
    return this.byId(id);
  }

  allWorkloads(): IterableIterator<Readonly<WorkloadState>> {
    return this.workloads.values();
  }

  /** The scheduler's pending reason for a group, if it waits. */
  pendingReason(group: GroupState) {
    return this.scheduler.gang(group.gang)?.pending ?? null;
  }

  /**
   * An independent copy at the same instant: same clock, events, random state, cluster, scheduler and
   * workloads. What happens in the fork never reaches this model.
   */
  fork(): ClusterModel {
    const copy = new ClusterModel(this.spec, this.sim.fork(), this.scheduler.clone(), this.delays);
    copy.workloads = structuredClone(this.workloads);
    copy.ids = this.ids.copy(copy.idAt);
    copy.creating = this.creating.map((w) => copy.workloads[w.seq]!);
    copy.runTokens = new Map(this.runTokens);
    copy.active = new Map([...this.active].map(([project, names]) => [project, names.copy(copy.nameAt)]));
    copy.nextSeq = this.nextSeq;
    copy.cycleRequested = this.cycleRequested;
    copy.changes = this.changes;
    copy.gangSerial = this.gangSerial;
    return copy;
  }

  // ---- internals ------------------------------------------------------------------------------------------

  private dispatch(event: ModelEvent): void {
    this.changes++;
    switch (event.type) {
      case 'schedule':
        this.runCycle();
        break;
      case 'pod-step': {
        const workload = this.byId(event.workload);
        if (workload) this.controller.onPodStep(workload, event);
        break;
      }
      case 'group-terminated':
        this.onGroupTerminated(event.workload, event.group, event.generation);
        break;
      case 'run-complete':
        this.onRunComplete(event.workload, event.token);
        break;
    }
    // Phases are read once an instant is over: two groups ready at the same moment never show as Degraded.
    if (this.sim.nextEventTime() !== this.now) this.flushPhases();
  }

  /**
   * Scheduling runs when something changed, on the scheduler's period (KAI's default is one second): at the next
   * whole period, after that instant's other events. Until then a new workload shows as Creating.
   */
  private requestCycle(): void {
    if (this.cycleRequested) return;
    this.cycleRequested = true;
    const period = this.scheduler.config.period;
    const next = (Math.floor(this.sim.now / period) + 1) * period;
    this.sim.at(next, { type: 'schedule' }, 100);
  }

  private runCycle(): void {
    this.cycleRequested = false;
    const report = this.scheduler.cycle(this.now);
    // A gang can be evicted and placed again within one cycle (reclaimed, then placed in another pool): first
    // every eviction, then every gang that ends the cycle running is bound where the scheduler left it.
    for (const eviction of report.evictions) {
      const found = this.groupOfGang(eviction.victim.spec.id);
      if (found) this.controller.onDisplaced(found.workload, found.group, true);
    }
    const bound = new Set<string>();
    for (const gang of [...report.evictions.map((e) => e.victim), ...report.placed]) {
      if (gang.phase !== 'running' || bound.has(gang.spec.id)) continue;
      bound.add(gang.spec.id);
      const found = this.groupOfGang(gang.spec.id);
      if (found && found.group.status === 'pending') this.controller.onPlaced(found.workload, found.group, gang);
    }
    for (const workload of this.creating) {
      workload.creating = false;
      this.touched.add(workload);
    }
    this.creating = [];
    // Waiting groups' reasons may have changed even if nothing else did.
    for (const gang of this.scheduler.pendingGangs()) {
      const found = this.groupOfGang(gang.spec.id);
      if (found) this.touched.add(found.workload);
    }
    this.observers.emit('scheduling-cycle', report);
  }

  private onGroupTerminated(workloadId: string, index: number, generation: number): void {
    const workload = this.byId(workloadId);
    const group = workload?.groups.find(
      (g) => g.index === index && g.generation === generation && g.status === 'terminating',
    );
    if (!workload || !group) return;
    if (this.scheduler.gang(group.gang)) this.scheduler.remove(group.gang, this.now);
    workload.groups = workload.groups.filter((g) => g !== group);
    this.touched.add(workload);
    this.requestCycle();
    if (workload.desiredPhase === 'Deleted' && workload.groups.length === 0) this.finishDeletion(workload);
  }

  /** A job that has run its time completes: its pods terminate and it keeps the phase Completed. */
  private onRunComplete(workloadId: string, token: number): void {
    const workload = this.byId(workloadId);
    if (!workload || this.runTokens.get(workloadId) !== token || workload.phase !== 'Running') return;
    workload.completedAt = this.now;
    workload.ranMicros += this.now - (workload.runningSince ?? this.now);
    workload.runningSince = null;
    for (const group of [...workload.groups]) this.controller.terminateGroup(workload, group);
    this.touched.add(workload);
  }

  /** Starts or stops a job's clock as it enters or leaves Running. */
  private trackRun(workload: WorkloadState, previous: WorkloadPhase): void {
    const runFor = workload.spec.runFor;
    if (runFor === undefined || workload.completedAt !== null) return;
    const token = (this.runTokens.get(workload.id) ?? 0) + 1;
    if (workload.phase === 'Running' && previous !== 'Running') {
      workload.runningSince = this.now;
      this.runTokens.set(workload.id, token);
      this.sim.after(Math.max(0, runFor - workload.ranMicros), { type: 'run-complete', workload: workload.id, token });
    } else if (previous === 'Running' && workload.phase !== 'Running') {
      workload.ranMicros += this.now - (workload.runningSince ?? this.now);
      workload.runningSince = null;
      this.runTokens.set(workload.id, token);
    }
  }

  private finishDeletion(workload: WorkloadState): void {
    workload.deletedAt = this.now;
    this.active.get(workload.project)?.remove(workload.name);
    this.observers.emit('workload-deleted', workload);
  }

  /** Derives the phase of every workload touched since the last flush and tells observers of changes. */
  private flushPhases(): void {
    // Most calls find nothing touched, and Set.clear() allocates a fresh table even for an empty set.
    if (this.touched.size === 0) return;
    for (const workload of this.touched) {
      if (workload.updating && !workload.groups.some((g) => g.status !== 'ready')) workload.updating = false;
      const { phase, message } = derivePhase(workload, this.pendingMessage);
      workload.phaseMessage = message;
      if (phase !== workload.phase) {
        const previous = workload.phase;
        workload.phase = phase;
        workload.phaseUpdatedAt = this.now;
        if (phase === 'Running') workload.firstRunningAt ??= this.now;
        if (phase !== 'Creating' && phase !== 'Pending') workload.firstScheduledAt ??= this.now;
        this.trackRun(workload, previous);
        this.observers.emit('workload-phase', workload, previous);
      }
    }
    this.touched.clear();
  }

  private groupOfGang(gangId: string): { workload: WorkloadState; group: GroupState } | undefined {
    const [workloadId, index] = gangId.split('/');
    const workload = this.byId(workloadId!);
    const group = workload?.groups.find((g) => g.index === Number(index) && g.gang === gangId);
    return workload && group ? { workload, group } : undefined;
  }

  private byId(id: string): WorkloadState | undefined {
    const seq = this.ids.find(id);
    return seq < 0 ? undefined : this.workloads[seq];
  }

  private liveWorkload(id: string): ModelResult<WorkloadState> {
    const workload = this.byId(id);
    if (workload === undefined || workload.deletedAt !== null)
      return { ok: false, error: 'not-found', message: `workload ${id} not found` };
    if (workload.desiredPhase === 'Deleted')
      return { ok: false, error: 'not-found', message: `workload ${id} is being deleted` };
    return { ok: true, value: workload };
  }

  /**
   * `<prefix>-<5 random characters>` that no active workload of the project (`names`) uses, drawn from the
   * simulation's generator so replays agree.
   */
  private uniqueName(names: KeyIndex, prefix: string): string {
    const random = this.sim.random;
    const last = NAME_ALPHABET.length - 1;
    for (;;) {
      const suffix = String.fromCharCode(
        NAME_ALPHABET.charCodeAt(random.int(0, last)),
        NAME_ALPHABET.charCodeAt(random.int(0, last)),
        NAME_ALPHABET.charCodeAt(random.int(0, last)),
        NAME_ALPHABET.charCodeAt(random.int(0, last)),
        NAME_ALPHABET.charCodeAt(random.int(0, last)),
      );
      // Joined, not concatenated: a flat string (a chain of concatenations would be kept alive with the name).
      const name = [prefix, suffix].join('-');
      if (names.find(name) < 0) return name;
    }
  }
}

const NAME_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function invalid(message: string): ModelError {
  return { ok: false, error: 'invalid', message };
}
