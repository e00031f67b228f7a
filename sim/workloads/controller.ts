import type { Micros, Random } from '../engine/index.ts';
import type { Handlers } from '../engine/simulation.ts';
import type { GangSpec, GangState, Scheduler } from '../scheduler/index.ts';
import { drawDelay, type LifecycleDelays } from './delays.ts';
import { leaderPodName, workerPodName } from './naming.ts';
import type { GroupState, PodStage, PodState, WorkloadState } from './state.ts';

/** The events the controller schedules for itself. Each carries the generation it belongs to. */
export type ControllerEvent =
  | {
      readonly type: 'pod-step';
      readonly workload: string;
      readonly group: number;
      readonly generation: number;
      readonly pod: string;
      readonly incarnation: number;
    }
  | {
      readonly type: 'group-terminated';
      readonly workload: string;
      readonly group: number;
      readonly generation: number;
    };

/** What the controller needs from the model around it. */
export interface ControllerContext {
  readonly now: Micros;
  readonly random: Random;
  readonly delays: LifecycleDelays;
  readonly scheduler: Scheduler;
  after(delay: Micros, event: ControllerEvent): void;
  requestCycle(): void;
  /** Something about this workload changed: its phase must be derived again. */
  touch(workload: WorkloadState): void;
  workload(id: string): WorkloadState | undefined;
  /** A workload being deleted has no group left: it is gone. */
  deleted(workload: WorkloadState): void;
}

/** A starting pod's stages: how long each lasts, and what follows it. */
type StartingStage = 'PullingImage' | 'Starting' | 'LoadingModel';
const STAGES: Record<StartingStage, { lasts: keyof LifecycleDelays; next: PodStage }> = {
  PullingImage: { lasts: 'imagePull', next: 'Starting' },
  Starting: { lasts: 'containerStart', next: 'LoadingModel' },
  LoadingModel: { lasts: 'modelLoad', next: 'Ready' },
};

function isStarting(stage: PodStage): stage is StartingStage {
  return stage === 'PullingImage' || stage === 'Starting' || stage === 'LoadingModel';
}

/**
 * The LeaderWorkerSet controller: turns a workload's replicas into groups of pods, hands each group to the
 * scheduler as one gang, and walks the pods of a placed group through image pull, container start and model
 * load to Ready. With LeaderReady the workers are created only when the leader is Ready (their resources are
 * reserved with the leader's). It recreates groups that lose their placement or, under
 * RecreateGroupOnPodRestart, a pod; it scales by adding groups or terminating the highest-indexed ones.
 */
export class LwsController {
  /** Part of gang ids: a number never handed out before, so a recreated group's gang is a new one. */
  private gangSerial = 0;
  readonly handlers: Handlers<ControllerEvent, void> = {
    'pod-step': (event) => {
      const workload = this.ctx.workload(event.workload);
      if (workload) this.onPodStep(workload, event);
    },
    'group-terminated': (event) => this.onGroupTerminated(event),
  };

  constructor(private readonly ctx: ControllerContext) {}

  /** A copy for a copy of the cluster (its own context). */
  clone(ctx: ControllerContext): LwsController {
    const copy = new LwsController(ctx);
    copy.gangSerial = this.gangSerial;
    return copy;
  }

  /** The serial the next gang id gets: the controller's only state (see model-snapshot.ts). */
  get serial(): number {
    return this.gangSerial;
  }

  restoreSerial(serial: number): void {
    this.gangSerial = serial;
  }

  /** Creates the group with this index and submits its gang. */
  createGroup(workload: WorkloadState, index: number): GroupState {
    const group: GroupState = {
      index,
      generation: 0,
      gang: '',
      status: 'pending',
      pods: [],
      restarts: 0,
      createdAt: this.ctx.now,
      readyAt: null,
    };
    workload.groups.push(group);
    workload.groups.sort((a, b) => a.index - b.index);
    // The leader's pod exists at once; workers too, unless they wait for a Ready leader.
    this.createPods(workload, group, workload.spec.startupPolicy === 'LeaderReady' ? 1 : 1 + workload.spec.workers);
    this.submit(workload, group);
    return group;
  }

  /** Marks a group for termination: its pods terminate, and its resources are returned when they are gone. */
  terminateGroup(workload: WorkloadState, group: GroupState): void {
    if (group.status === 'terminating') return;
    const gang = this.ctx.scheduler.gang(group.gang);
    if (gang !== undefined && gang.phase === 'pending') this.ctx.scheduler.remove(group.gang, this.ctx.now);
    group.status = 'terminating';
    group.generation++;
    for (const pod of group.pods) this.setStage(pod, 'Terminating');
    const delay = group.pods.some((p) => p.node !== null) ? drawDelay(this.ctx.random, this.ctx.delays.termination) : 0;
    this.ctx.after(delay, {
      type: 'group-terminated',
      workload: workload.id,
      group: group.index,
      generation: group.generation,
    });
    this.ctx.touch(workload);
  }

  /** The scheduler placed the group's gang: bind the pods that exist and start them. */
  onPlaced(workload: WorkloadState, group: GroupState, gang: Readonly<GangState>): void {
    group.status = 'starting';
    for (const pod of group.pods) this.bindAndStart(workload, group, pod, gang);
    this.ctx.touch(workload);
  }

  /** The group lost its placement (eviction, node failure): back to pending, pods recreated when placed again. */
  onDisplaced(workload: WorkloadState, group: GroupState, evicted: boolean): void {
    // A group on its way out is not placed again: its gang just leaves the scheduler.
    if (group.status === 'terminating') {
      if (this.ctx.scheduler.gang(group.gang)?.phase === 'pending') this.ctx.scheduler.remove(group.gang, this.ctx.now);
      return;
    }
    group.generation++;
    group.status = 'pending';
    group.readyAt = null;
    group.restarts++;
    if (evicted) workload.evictions++;
    this.resetPods(workload, group);
    this.ctx.touch(workload);
    this.ctx.requestCycle();
  }

  /** A pod's container failed. RecreateGroupOnPodRestart recreates the whole group; None restarts that pod. */
  failPod(workload: WorkloadState, group: GroupState, pod: PodState): void {
    if (workload.spec.restartPolicy === 'RecreateGroupOnPodRestart' || pod.node === null) {
      this.ctx.scheduler.remove(group.gang, this.ctx.now);
      group.generation++;
      group.restarts++;
      group.status = 'pending';
      group.readyAt = null;
      this.resetPods(workload, group);
      this.submit(workload, group);
    } else {
      pod.restarts++;
      pod.incarnation++;
      if (group.status === 'ready') group.status = 'starting';
      group.readyAt = null;
      this.enter(workload, group, pod, 'Starting');
    }
    this.ctx.touch(workload);
  }

  /** A group's pods are gone: its resources return to the cluster. Stale events (older generation) are ignored. */
  private onGroupTerminated(event: Extract<ControllerEvent, { type: 'group-terminated' }>): void {
    const workload = this.ctx.workload(event.workload);
    const group = workload?.groups.find(
      (g) => g.index === event.group && g.generation === event.generation && g.status === 'terminating',
    );
    if (!workload || !group) return;
    if (this.ctx.scheduler.gang(group.gang)) this.ctx.scheduler.remove(group.gang, this.ctx.now);
    workload.groups = workload.groups.filter((g) => g !== group);
    this.ctx.touch(workload);
    this.ctx.requestCycle();
    if (workload.desiredPhase === 'Deleted' && workload.groups.length === 0) this.ctx.deleted(workload);
  }

  /** A step of a pod's start finished. Stale steps (older generation or incarnation) are ignored. */
  onPodStep(workload: WorkloadState, event: Extract<ControllerEvent, { type: 'pod-step' }>): void {
    const group = workload.groups.find((g) => g.index === event.group && g.generation === event.generation);
    if (group === undefined || group.status === 'terminating') return;
    const pod = group.pods.find((p) => p.name === event.pod);
    if (pod === undefined || pod.incarnation !== event.incarnation) return;
    if (!isStarting(pod.stage)) return;
    const next = STAGES[pod.stage].next;
    if (isStarting(next)) {
      this.enter(workload, group, pod, next);
      this.ctx.touch(workload);
      return;
    }
    this.setStage(pod, 'Ready');
    if (
      pod.role === 'leader' &&
      workload.spec.startupPolicy === 'LeaderReady' &&
      group.pods.length === 1 &&
      workload.spec.workers > 0
    ) {
      // LeaderReady: now the workers are created, on the resources reserved with the leader.
      const gang = this.ctx.scheduler.gang(group.gang);
      if (gang !== undefined) {
        this.createPods(workload, group, 1 + workload.spec.workers);
        for (const worker of group.pods.slice(1)) this.bindAndStart(workload, group, worker, gang);
      }
    }
    if (group.pods.length === 1 + workload.spec.workers && group.pods.every((p) => p.stage === 'Ready')) {
      group.status = 'ready';
      group.readyAt = this.ctx.now;
    }
    this.ctx.touch(workload);
  }

  /** The gang of a group, as the scheduler sees it. */
  gangSpec(workload: WorkloadState, group: GroupState): GangSpec {
    const { spec } = workload;
    const pods = [{ role: 'leader', resources: spec.leader.resources, constraints: spec.leader.constraints }];
    for (let j = 1; j <= spec.workers; j++)
      pods.push({ role: `worker-${j}`, resources: spec.worker!.resources, constraints: spec.worker!.constraints });
    return {
      id: group.gang,
      workload: `${workload.project}/${workload.name}`,
      project: workload.project,
      priority: spec.priority.priority,
      preemptible: spec.priority.preemptible,
      pods,
      nodePools: spec.nodePools,
      ...(spec.topology ? { topology: spec.topology } : {}),
    };
  }

  private submit(workload: WorkloadState, group: GroupState): void {
    // A fresh id per submission: a terminating group's gang may still be running under the same index.
    group.gang = `${workload.id}/${group.index}/${this.gangSerial++}`;
    const submitted = this.ctx.scheduler.submit(this.gangSpec(workload, group), this.ctx.now);
    if (!submitted.ok) throw new Error(`model bug: gang of ${workload.name} rejected: ${submitted.reason}`);
    this.ctx.requestCycle();
  }

  private createPods(workload: WorkloadState, group: GroupState, count: number): void {
    for (let i = group.pods.length; i < count; i++) {
      group.pods.push({
        name: i === 0 ? leaderPodName(workload.name, group.index) : workerPodName(workload.name, group.index, i),
        role: i === 0 ? 'leader' : 'worker',
        workerIndex: i,
        incarnation: 0,
        stage: 'Unscheduled',
        stageSince: this.ctx.now,
        createdAt: this.ctx.now,
        node: null,
        binding: null,
        pool: null,
        restarts: 0,
      });
    }
  }

  private bindAndStart(workload: WorkloadState, group: GroupState, pod: PodState, gang: Readonly<GangState>): void {
    const binding = gang.bindings[pod.workerIndex];
    if (binding === undefined) return;
    const layout = this.ctx.scheduler.cluster.layout;
    pod.binding = binding;
    pod.node = layout.nodes[binding.node]!.name;
    pod.pool = layout.pools[gang.pool]!.name;
    this.enter(workload, group, pod, 'PullingImage');
  }

  /** Puts a pod in a starting stage and schedules the end of that stage. */
  private enter(workload: WorkloadState, group: GroupState, pod: PodState, stage: StartingStage): void {
    this.setStage(pod, stage);
    const event = {
      type: 'pod-step' as const,
      workload: workload.id,
      group: group.index,
      generation: group.generation,
      pod: pod.name,
      incarnation: pod.incarnation,
    };
    this.ctx.after(drawDelay(this.ctx.random, this.ctx.delays[STAGES[stage].lasts]), event);
  }

  /** Pods of a group that lost its placement: recreated (workers only exist again once the leader is Ready). */
  private resetPods(workload: WorkloadState, group: GroupState): void {
    if (workload.spec.startupPolicy === 'LeaderReady') group.pods = group.pods.slice(0, 1);
    for (const pod of group.pods) {
      pod.incarnation++;
      pod.restarts++;
      pod.node = null;
      pod.binding = null;
      pod.pool = null;
      pod.createdAt = this.ctx.now;
      this.setStage(pod, 'Unscheduled');
    }
  }

  private setStage(pod: PodState, stage: PodStage): void {
    pod.stage = stage;
    pod.stageSince = this.ctx.now;
  }
}
