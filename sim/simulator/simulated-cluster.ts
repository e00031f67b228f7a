import { EventEmitter } from 'eventemitter3';
import { buildCluster, type ClusterSpec } from '../cluster/index.ts';
import { UuidNamespace } from '../config/stable-uuid.ts';
import { dispatchTo, Simulation, type Handlers, type Micros } from '../engine/index.ts';
import { Scheduler, type CycleReport, type GangSpec, type SchedulerConfig } from '../scheduler/index.ts';
import { LwsController, type ControllerEvent } from '../workloads/controller.ts';
import { DEFAULT_DELAYS, type LifecycleDelays } from '../workloads/delays.ts';
import { derivePhase } from '../workloads/phase.ts';
import type { InferenceSpec } from '../workloads/spec.ts';
import type { GroupState, WorkloadPhase, WorkloadState } from '../workloads/state.ts';
import { JobClock, type JobClockEvent } from './job-clock.ts';
import { limitBroken, NO_LIMITS, podsPerGroup, type ClusterLimits } from './limits.ts';
import { WorkloadTable } from './workload-table.ts';
import type { ModelSnapshot } from './model-snapshot.ts';
import { restoreScheduler, snapshotScheduler, type Snapshotted } from './scheduler-snapshot.ts';

/** The scheduler's cycle, due at the next whole period once something changed. */
export type SchedulingEvent = { readonly type: 'schedule' };

/** Every event of the cluster: each subsystem owns its own, and handles them through its handler table. */
export type ClusterEvent = ControllerEvent | SchedulingEvent | JobClockEvent;

export interface ClusterOptions {
  readonly seed?: number;
  readonly delays?: LifecycleDelays;
  /** Cycle period, actions and search budgets; default DEFAULT_SCHEDULER_CONFIG. */
  readonly scheduler?: SchedulerConfig;
  /** What creates and scales may ask for; default none. */
  readonly limits?: ClusterLimits;
  /** How many deleted workloads stay listed (`deleted=true`), the latest; default all. */
  readonly keepDeleted?: number;
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
  readonly identity?: GivenIdentity;
}

/**
 * The id to give a workload (default: derived from its sequence number) and the name a generated one must come out
 * as: a replay of a journal that lost lines still gives each workload the identity it was shown with.
 */
export interface GivenIdentity {
  readonly id?: string;
  readonly name?: string;
}

export type ClusterError = { ok: false; error: 'not-found' | 'conflict' | 'invalid'; message: string };
export type ClusterResult<T> = { ok: true; value: T } | ClusterError;

/** What the model tells its observers (the API's event stream, reports). */
export interface ClusterObservers {
  'workload-created': (workload: WorkloadState) => void;
  'workload-phase': (workload: WorkloadState, previous: WorkloadPhase) => void;
  'workload-deleted': (workload: WorkloadState) => void;
  /** A workload's groups or pods may have changed (said once an instant is over, phase change or not). */
  'workload-touched': (workload: WorkloadState) => void;
  /** A scheduling cycle begins (with 'scheduling-cycle' after it, a watcher can time it). */
  'scheduling-cycle-started': () => void;
  'scheduling-cycle': (report: CycleReport) => void;
  'node-ready': (node: string, ready: boolean) => void;
}

/**
 * The whole simulated cluster: the engine's clock and queue, the scheduler over the cluster state, and the LWS
 * controller over the workloads. Commands (create, scale, delete, faults) apply at the current simulated time;
 * everything that follows from them happens through events. Deterministic for a seed, and forkable.
 */
export class SimulatedCluster {
  readonly observers = new EventEmitter<ClusterObservers>();
  private cycleRequested = false;
  private changes = 0;
  private readonly touched = new Set<WorkloadState>();
  /** Workloads the scheduler has not looked at yet (phase Creating). */
  private creating: WorkloadState[] = [];
  /** Pods the workloads not deleted ask for (replicas × group size), for the limits. */
  private desiredPods = 0;
  /** Why a group waits, as derivePhase asks it: one function for the model's life, not one per phase derived. */
  private readonly pendingMessage = (group: GroupState): string | null => this.pendingReason(group)?.message ?? null;
  // The subsystems: each owns its state and events, and clones itself for a fork.
  private readonly workloads: WorkloadTable;
  private readonly controller: LwsController;
  private readonly jobs: JobClock;
  private readonly departmentOf: ReadonlyMap<string, string>;
  /** Workload ids: `stableUuid(<cluster id>/workload/<seq>)`, with the common prefix hashed once. */
  private readonly workloadIds: UuidNamespace;

  private constructor(
    readonly spec: ClusterSpec,
    readonly sim: Simulation<ClusterEvent>,
    readonly scheduler: Scheduler,
    readonly delays: LifecycleDelays,
    private limits: ClusterLimits,
    keepDeleted: number,
    /** The model this one is a fork of: every subsystem starts as a clone of that model's. */
    source?: SimulatedCluster,
  ) {
    this.departmentOf = new Map(spec.departments.flatMap((d) => d.projects.map((p) => [p.name, d.name] as const)));
    this.workloadIds = new UuidNamespace(`${spec.id}/workload/`);
    const after = (delay: Micros, event: ClusterEvent) => void this.sim.after(delay, event);
    const workload = (id: string) => this.workloads.byId(id);
    // Contexts read the clock through a getter: it moves.
    const controller = {
      get now() {
        return sim.now;
      },
      after,
      workload,
      random: sim.random,
      delays,
      scheduler,
      requestCycle: () => this.requestCycle(),
      touch: (workload: WorkloadState) => void this.touched.add(workload),
      deleted: (workload: WorkloadState) => this.finishDeletion(workload),
    };
    const jobs = {
      get now() {
        return sim.now;
      },
      after,
      workload,
      complete: (workload: WorkloadState) => {
        for (const group of [...workload.groups]) this.controller.terminateGroup(workload, group);
        this.touched.add(workload);
      },
    };
    this.workloads = source ? source.workloads.clone() : new WorkloadTable(keepDeleted);
    this.controller = source ? source.controller.clone(controller) : new LwsController(controller);
    this.jobs = source ? source.jobs.clone(jobs) : new JobClock(jobs);
    const handlers: Handlers<ClusterEvent, void> = {
      ...this.controller.handlers,
      ...this.jobs.handlers,
      schedule: () => this.runCycle(),
    };
    const route = dispatchTo(handlers, undefined);
    sim.bind((event) => {
      this.changes++;
      route(event);
      // Phases are read once an instant is over: two groups ready at the same moment never show as Degraded.
      if (this.sim.nextEventTime() !== this.now) this.flushPhases();
    });
  }

  static create(spec: ClusterSpec, options: ClusterOptions = {}): SimulatedCluster {
    return SimulatedCluster.build(spec, options, new Simulation<ClusterEvent>({ seed: options.seed ?? 1 }));
  }

  /**
   * The model a snapshot was taken of, under the same spec and options (see model-snapshot.ts): it runs from
   * here exactly as the original would have. Throws on a snapshot that does not fit the spec.
   */
  static restore(spec: ClusterSpec, options: ClusterOptions, snapshot: ModelSnapshot): SimulatedCluster {
    const model = SimulatedCluster.build(spec, options, Simulation.restore(snapshot.sim));
    model.workloads.restore(snapshot.workloads);
    model.controller.restoreSerial(snapshot.gangSerial);
    model.jobs.restore(snapshot.jobTokens);
    restoreScheduler(model.scheduler, snapshot.scheduler, (id) => model.gangSpecOf(id), snapshot.sim.clock);
    model.cycleRequested = snapshot.cycleRequested;
    model.changes = snapshot.changes;
    model.creating = snapshot.creating.map((c) => (typeof c === 'number' ? model.workloads.at(c) : c));
    model.desiredPods = snapshot.desiredPods;
    return model;
  }

  /**
   * The whole model as data (see model-snapshot.ts), or why it cannot be captured exactly now. It shares the
   * model's objects: serialise it before the model moves on.
   */
  snapshot(): Snapshotted<ModelSnapshot> {
    if (this.touched.size > 0) return { ok: false, reason: 'phases of touched workloads are not derived yet' };
    const scheduler = snapshotScheduler(this.scheduler);
    if (!scheduler.ok) return scheduler;
    return {
      ok: true,
      value: {
        sim: this.sim.snapshot(),
        workloads: this.workloads.snapshot(),
        gangSerial: this.controller.serial,
        jobTokens: this.jobs.snapshot(),
        scheduler: scheduler.value,
        cycleRequested: this.cycleRequested,
        changes: this.changes,
        // A workload deleted before the scheduler saw it may be forgotten by the table already: kept whole.
        creating: this.creating.map((w) => (this.workloads.at(w.seq) === w ? w.seq : w)),
        desiredPods: this.desiredPods,
      },
    };
  }

  private static build(spec: ClusterSpec, options: ClusterOptions, sim: Simulation<ClusterEvent>): SimulatedCluster {
    const built = buildCluster(spec);
    if (!built.ok) throw new Error(`invalid cluster: ${built.errors.map((e) => e.message).join('; ')}`);
    return new SimulatedCluster(
      spec,
      sim,
      new Scheduler(built.cluster, spec.departments, { config: options.scheduler }),
      options.delays ?? DEFAULT_DELAYS,
      options.limits ?? NO_LIMITS,
      options.keepDeleted ?? Infinity,
    );
  }

  get now(): Micros {
    return this.sim.now;
  }

  /**
   * Changes what later creates and scales may ask for; what the cluster holds stays (a journal is replayed
   * without limits: what was accepted once is accepted again, whatever the limits are now).
   */
  setLimits(limits: ClusterLimits): void {
    this.limits = limits;
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

  createWorkload(input: CreateWorkload): ClusterResult<WorkloadState> {
    this.changes++;
    const { spec } = input;
    const department = this.departmentOf.get(spec.project);
    if (department === undefined) return invalid(`project ${spec.project} does not exist in cluster ${this.spec.name}`);
    const unknownPool = spec.nodePools.find((p) => !this.spec.nodePools.some((pool) => pool.name === p));
    if (unknownPool !== undefined) return invalid(`spec.nodePools: node pool ${unknownPool} does not exist`);
    if (spec.workers > 0 && spec.worker === null) return invalid('spec.worker is required when spec.workers > 0');
    const broken = this.limitBroken(spec, 0, spec.replicas);
    if (broken !== undefined) return invalid(broken);
    // A generated name is free by construction; only a given one can conflict. A generated name is drawn even
    // when the identity names it, so the random stream stays the one the first run had.
    const generated = input.useGivenNameAsPrefix ? this.uniqueName(spec.project, spec.name) : spec.name;
    const name = input.identity?.name ?? generated;
    if (name !== generated || !input.useGivenNameAsPrefix) {
      if (this.workloads.nameTaken(spec.project, name))
        return {
          ok: false,
          error: 'conflict',
          message: `a workload named ${name} already exists in project ${spec.project}`,
        };
    }
    const seq = this.workloads.next;
    const id = input.identity?.id ?? this.workloadIds.uuid(String(seq));
    if (this.workloads.byId(id) !== undefined)
      return { ok: false, error: 'conflict', message: `a workload with id ${id} already exists` };
    const workload: WorkloadState = {
      id,
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
    this.workloads.add(workload);
    this.desiredPods += spec.replicas * podsPerGroup(spec);
    for (let i = 0; i < spec.replicas; i++) this.controller.createGroup(workload, i);
    this.touched.add(workload);
    this.creating.push(workload);
    this.requestCycle();
    this.observers.emit('workload-created', workload);
    this.flushPhases();
    return { ok: true, value: workload };
  }

  /** Scales to `replicas` groups: new groups get the missing indexes; scaling down removes the highest first. */
  scaleWorkload(id: string, replicas: number): ClusterResult<WorkloadState> {
    this.changes++;
    const workload = this.liveWorkload(id);
    if (!workload.ok) return workload;
    const w = workload.value;
    if (w.completedAt !== null)
      return { ok: false, error: 'conflict', message: `workload ${w.name} has completed; it cannot be scaled` };
    if (!Number.isInteger(replicas) || replicas < 0)
      return invalid(`spec.replicas must be a non-negative integer, got ${replicas}`);
    const broken = this.limitBroken(w.spec, w.replicas, replicas);
    if (broken !== undefined) return invalid(broken);
    if (replicas !== w.replicas) {
      this.desiredPods += (replicas - w.replicas) * podsPerGroup(w.spec);
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
  deleteWorkload(id: string): ClusterResult<WorkloadState> {
    this.changes++;
    const workload = this.liveWorkload(id);
    if (!workload.ok) return workload;
    const w = workload.value;
    w.desiredPhase = 'Deleted';
    this.desiredPods -= w.replicas * podsPerGroup(w.spec);
    for (const group of [...w.groups]) this.controller.terminateGroup(w, group);
    if (w.groups.length === 0) this.finishDeletion(w);
    this.touched.add(w);
    this.flushPhases();
    return { ok: true, value: w };
  }

  /** A node goes down (or comes back). Groups with a pod on it lose their placement and are placed again. */
  setNodeReady(nodeName: string, ready: boolean): ClusterResult<string> {
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
  failPod(workloadId: string, podName: string): ClusterResult<WorkloadState> {
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
    return this.workloads.byId(id);
  }

  allWorkloads(): IterableIterator<Readonly<WorkloadState>> {
    return this.workloads.all();
  }

  /** The scheduler's pending reason for a group, if it waits. */
  pendingReason(group: GroupState) {
    return this.scheduler.gang(group.gang)?.pending ?? null;
  }

  /**
   * An independent copy at the same instant: same clock, events, random state, cluster, scheduler and
   * workloads. What happens in the fork never reaches this model.
   */
  fork(): SimulatedCluster {
    const copy = new SimulatedCluster(
      this.spec,
      this.sim.fork(),
      this.scheduler.clone(),
      this.delays,
      this.limits,
      Infinity,
      this,
    );
    copy.desiredPods = this.desiredPods;
    copy.creating = this.creating.map((w) => copy.workloads.at(w.seq));
    copy.cycleRequested = this.cycleRequested;
    copy.changes = this.changes;
    return copy;
  }

  // ---- internals ------------------------------------------------------------------------------------------

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
    this.observers.emit('scheduling-cycle-started');
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
    for (const gang of report.reasonChanged) {
      const found = this.groupOfGang(gang.spec.id);
      if (found) this.touched.add(found.workload);
    }
    this.observers.emit('scheduling-cycle', report);
  }

  private limitBroken(spec: InferenceSpec, fromReplicas: number, toReplicas: number): string | undefined {
    if (this.limits === NO_LIMITS) return undefined;
    return limitBroken(this.limits, spec, fromReplicas, toReplicas, {
      clusterPods: this.desiredPods,
      pendingGangs: this.scheduler.pendingOf(spec.project),
    });
  }

  private finishDeletion(workload: WorkloadState): void {
    workload.deletedAt = this.now;
    this.workloads.release(workload);
    this.observers.emit('workload-deleted', workload);
  }

  /** Derives the phase of every workload touched since the last flush and tells observers of changes. */
  private flushPhases(): void {
    // Most calls find nothing touched, and Set.clear() allocates a fresh table even for an empty set.
    if (this.touched.size === 0) return;
    const tellTouched = this.observers.listenerCount('workload-touched') > 0;
    for (const workload of this.touched) {
      if (tellTouched) this.observers.emit('workload-touched', workload);
      if (workload.updating && !workload.groups.some((g) => g.status !== 'ready')) workload.updating = false;
      const { phase, message } = derivePhase(workload, this.pendingMessage);
      workload.phaseMessage = message;
      if (phase !== workload.phase) {
        const previous = workload.phase;
        workload.phase = phase;
        workload.phaseUpdatedAt = this.now;
        if (phase === 'Running') workload.firstRunningAt ??= this.now;
        if (phase !== 'Creating' && phase !== 'Pending') workload.firstScheduledAt ??= this.now;
        this.jobs.onPhase(workload, previous);
        this.observers.emit('workload-phase', workload, previous);
      }
    }
    this.touched.clear();
  }

  /** A gang's spec, derived from its group as the controller submitted it. */
  private gangSpecOf(gangId: string): GangSpec | undefined {
    const workload = this.workloads.byId(gangId.slice(0, gangId.indexOf('/')));
    const group = workload?.groups.find((g) => g.gang === gangId);
    return workload && group ? this.controller.gangSpec(workload, group) : undefined;
  }

  private groupOfGang(gangId: string): { workload: WorkloadState; group: GroupState } | undefined {
    const [workloadId, index] = gangId.split('/');
    const workload = this.workloads.byId(workloadId!);
    const group = workload?.groups.find((g) => g.index === Number(index) && g.gang === gangId);
    return workload && group ? { workload, group } : undefined;
  }

  private liveWorkload(id: string): ClusterResult<WorkloadState> {
    const workload = this.workloads.byId(id);
    if (workload === undefined || workload.deletedAt !== null)
      return { ok: false, error: 'not-found', message: `workload ${id} not found` };
    if (workload.desiredPhase === 'Deleted')
      return { ok: false, error: 'not-found', message: `workload ${id} is being deleted` };
    return { ok: true, value: workload };
  }

  /**
   * `<prefix>-<5 random characters>` that no active workload of the project uses, drawn from the
   * simulation's generator so replays agree.
   */
  private uniqueName(project: string, prefix: string): string {
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
      if (!this.workloads.nameTaken(project, name)) return name;
    }
  }
}

const NAME_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function invalid(message: string): ClusterError {
  return { ok: false, error: 'invalid', message };
}
