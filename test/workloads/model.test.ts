import { describe, expect, it } from 'vitest';
import { seconds } from '../../sim/engine/index.ts';
import type { WorkloadState } from '../../sim/workloads/state.ts';
import { resolvePriority } from '../../sim/scheduler/index.ts';
import { FIXED_DELAYS, READY_AFTER, inference, model } from '../support/workloads.ts';

/** The scheduler runs on whole seconds: a workload created at 0 is placed at 1 s. */
const T = (s: number) => seconds(s + 1);

const create = (
  m: ReturnType<typeof model>,
  overrides: Parameters<typeof inference>[0] = {},
  prefix = false,
): WorkloadState => {
  const result = m.createWorkload({
    spec: inference(overrides),
    useGivenNameAsPrefix: prefix,
    createdBy: 'test@lwsim',
    request: '{}',
  });
  if (!result.ok) throw new Error(result.message);
  return result.value;
};

const stages = (w: WorkloadState) => w.groups.flatMap((g) => g.pods.map((p) => `${p.name}:${p.stage}`));

describe('LWS controller and phases', () => {
  it('walks Creating -> Initializing -> Running as pods pull, start and load the model', () => {
    const m = model();
    const phases: string[] = [];
    m.observers.on('workload-phase', (w) => phases.push(w.phase));
    const w = create(m, { replicas: 2 });
    expect(w.phase).toBe('Creating');
    expect(w.groups.map((g) => g.pods.map((p) => p.name))).toEqual([
      ['llama-0', 'llama-0-1'],
      ['llama-1', 'llama-1-1'],
    ]);
    m.advanceTo(seconds(0.5));
    expect(w.phase).toBe('Creating');
    m.advanceTo(T(0));
    expect(w.phase).toBe('Initializing');
    expect(stages(w).every((s) => s.endsWith(':PullingImage'))).toBe(true);
    m.advanceTo(T(10));
    expect(stages(w).every((s) => s.endsWith(':Starting'))).toBe(true);
    m.advanceTo(T(12));
    expect(stages(w).every((s) => s.endsWith(':LoadingModel'))).toBe(true);
    m.advanceTo(T(READY_AFTER));
    expect(w.phase).toBe('Running');
    expect(w.firstRunningAt).toBe(T(READY_AFTER));
    expect(w.firstScheduledAt).toBe(T(0));
    expect(phases).toEqual(['Initializing', 'Running']);
    // Each group is a gang on two whole nodes.
    expect(new Set(w.groups.flatMap((g) => g.pods.map((p) => p.node))).size).toBe(4);
  });

  it('LeaderReady: workers appear only once the leader is Ready, on resources reserved with it', () => {
    const m = model(2);
    const w = create(m, { startupPolicy: 'LeaderReady', workers: 1 });
    m.advanceTo(T(0));
    expect(w.groups[0]!.pods.map((p) => p.name)).toEqual(['llama-0']);
    // The worker's node is already taken: the whole group was reserved.
    expect(m.scheduler.cluster.domainFree(m.scheduler.cluster.layout.pools[0]!.root).wholeGpus).toBe(0);
    m.advanceTo(T(READY_AFTER - 1));
    expect(w.groups[0]!.pods).toHaveLength(1);
    m.advanceTo(T(READY_AFTER));
    expect(w.groups[0]!.pods.map((p) => `${p.name}:${p.stage}`)).toEqual(['llama-0:Ready', 'llama-0-1:PullingImage']);
    expect(w.groups[0]!.pods[1]!.createdAt).toBe(T(READY_AFTER));
    expect(w.phase).toBe('Initializing');
    m.advanceTo(T(2 * READY_AFTER));
    expect(w.phase).toBe('Running');
  });

  it('is Pending with the scheduler reason when nothing fits, and Degraded when only some groups run', () => {
    const m = model(2);
    const w = create(m, { replicas: 2 });
    m.advanceTo(T(READY_AFTER));
    // The second replica would take the project past its deserved quota, which non-preemptible work may not.
    expect(w.phase).toBe('Degraded');
    expect(w.phaseMessage).toContain('node pool gpu: Non-preemptible workload is over quota');
    const big = create(m, { name: 'big', replicas: 1, priority: resolvePriority('low') });
    m.advanceTo(T(READY_AFTER + 1));
    expect(big.phase).toBe('Pending');
    expect(big.phaseMessage).toContain("didn't have enough resources: GPUs");
  });

  it('scales up and down (highest index first), Updating while it rolls out; 0 replicas keeps the workload', () => {
    const m = model(6);
    const w = create(m, { replicas: 1 });
    m.advanceTo(T(READY_AFTER));
    expect(w.phase).toBe('Running');
    expect(m.scaleWorkload(w.id, 3).ok).toBe(true);
    m.advanceTo(T(READY_AFTER + 1));
    expect(w.phase).toBe('Updating');
    m.advanceTo(T(2 * READY_AFTER + 1));
    expect(w.phase).toBe('Running');
    expect(w.groups.map((g) => g.index)).toEqual([0, 1, 2]);
    m.scaleWorkload(w.id, 1);
    expect(w.groups.filter((g) => g.status === 'terminating').map((g) => g.index)).toEqual([1, 2]);
    expect(w.phase).toBe('Updating');
    m.advanceTo(T(2 * READY_AFTER + 1 + FIXED_DELAYS.termination.median));
    expect(w.groups.map((g) => g.index)).toEqual([0]);
    expect(w.phase).toBe('Running');
    m.scaleWorkload(w.id, 0);
    expect(w.phase).toBe('Stopping');
    m.advanceTo(T(3 * READY_AFTER));
    expect(w.phase).toBe('Stopped');
    expect(m.scheduler.cluster.domainFree(m.scheduler.cluster.layout.pools[0]!.root).wholeGpus).toBe(48);
  });

  it('deletes: Deleting while pods terminate, then gone; the name is free again', () => {
    const m = model();
    const w = create(m);
    m.advanceTo(T(READY_AFTER));
    expect(m.deleteWorkload(w.id).ok).toBe(true);
    expect(w.phase).toBe('Deleting');
    expect(m.scaleWorkload(w.id, 2)).toMatchObject({ ok: false, error: 'not-found' });
    m.advanceTo(T(READY_AFTER + 5));
    expect(w.deletedAt).toBe(T(READY_AFTER + 5));
    expect(w.groups).toEqual([]);
    expect(create(m).name).toBe('llama');
    expect(m.deleteWorkload(w.id)).toMatchObject({ ok: false, error: 'not-found' });
  });

  it('recreates a group whose node fails, elsewhere', () => {
    const m = model(4);
    const w = create(m);
    m.advanceTo(T(READY_AFTER));
    const node = w.groups[0]!.pods[0]!.node!;
    m.setNodeReady(node, false);
    expect(w.groups[0]!.status).toBe('pending');
    m.advanceTo(T(READY_AFTER + 1));
    expect(w.phase).toBe('Initializing');
    expect(w.groups[0]!.pods.every((p) => p.node !== node && p.restarts === 1)).toBe(true);
    m.advanceTo(T(2 * READY_AFTER + 1));
    expect(w.phase).toBe('Running');
    expect(w.groups[0]!.restarts).toBe(1);
  });

  it('on a pod failure recreates the group (RecreateGroupOnPodRestart) or restarts just the pod (None)', () => {
    const m = model(4);
    const recreate = create(m, { name: 'recreate' });
    const single = create(m, { name: 'single', restartPolicy: 'None' });
    m.advanceTo(T(READY_AFTER));
    expect(m.failPod(recreate.id, 'recreate-0-1').ok).toBe(true);
    expect(m.failPod(single.id, 'single-0-1').ok).toBe(true);
    m.advanceTo(T(READY_AFTER + 1));
    expect(recreate.groups[0]!.pods.map((p) => p.stage)).toEqual(['PullingImage', 'PullingImage']);
    expect(recreate.groups[0]!.pods.every((p) => p.restarts === 1)).toBe(true);
    expect(single.groups[0]!.pods.map((p) => `${p.stage}/${p.restarts}`)).toEqual(['Ready/0', 'Starting/1']);
    expect(m.failPod(single.id, 'nope')).toMatchObject({ ok: false, error: 'not-found' });
    m.advanceTo(T(READY_AFTER + 62));
    expect(single.phase).toBe('Running');
    m.advanceTo(T(2 * READY_AFTER + 1));
    expect(recreate.phase).toBe('Running');
  });

  it('names with a random suffix on request, refuses a taken name, and checks the project and pools', () => {
    const m = model();
    create(m);
    expect(
      m.createWorkload({ spec: inference(), useGivenNameAsPrefix: false, createdBy: 'x', request: '{}' }),
    ).toMatchObject({ ok: false, error: 'conflict' });
    const prefixed = create(m, {}, true);
    expect(prefixed.name).toMatch(/^llama-[a-z0-9]{5}$/);
    expect(prefixed.requestedName).toBe('llama');
    expect(
      m.createWorkload({
        spec: inference({ project: 'ghost' }),
        useGivenNameAsPrefix: false,
        createdBy: 'x',
        request: '{}',
      }),
    ).toMatchObject({ ok: false, error: 'invalid' });
    expect(
      m.createWorkload({
        spec: inference({ name: 'z', nodePools: ['nope'] }),
        useGivenNameAsPrefix: false,
        createdBy: 'x',
        request: '{}',
      }),
    ).toMatchObject({
      ok: false,
      error: 'invalid',
      message: 'spec.nodePools: node pool nope does not exist',
    });
  });

  it('is deterministic, and a fork runs ahead without touching the original', () => {
    const run = () => {
      const m = model(4, 7);
      const a = create(m, { name: 'a', replicas: 2 });
      create(m, { name: 'b', replicas: 2 });
      m.advanceTo(seconds(30));
      const fork = m.fork();
      fork.setNodeReady('gpu-0', false);
      fork.deleteWorkload(a.id);
      fork.advanceTo(seconds(500));
      m.advanceTo(seconds(200));
      expect(m.workload(a.id)!.deletedAt).toBeNull();
      expect(fork.workload(a.id)!.deletedAt).not.toBeNull();
      expect(m.scheduler.cluster.isReady(0)).toBe(true);
      // Names and ids are the fork's own: `a` is free again in the fork only, and the original never sees its new one.
      const again = fork.createWorkload({
        spec: inference({ name: 'a' }),
        useGivenNameAsPrefix: false,
        createdBy: 'x',
        request: '{}',
      });
      if (!again.ok) throw new Error(again.message);
      expect(
        m.createWorkload({
          spec: inference({ name: 'a' }),
          useGivenNameAsPrefix: false,
          createdBy: 'x',
          request: '{}',
        }),
      ).toMatchObject({ ok: false, error: 'conflict' });
      expect(m.workload(again.value.id)).toBeUndefined();
      expect(fork.workload(again.value.id)!.name).toBe('a');
      return JSON.stringify(
        [...m.allWorkloads()].map((w) => [w.name, w.phase, w.groups.map((g) => g.pods.map((p) => [p.node, p.stage]))]),
      );
    };
    expect(run()).toBe(run());
  });
});

describe('jobs (training)', () => {
  it('completes after running its time, then frees its GPUs', () => {
    const m = model(2);
    const job = create(m, { name: 'train', runFor: seconds(100), priority: resolvePriority('low') });
    m.advanceTo(T(READY_AFTER + 99));
    expect(job.phase).toBe('Running');
    m.advanceTo(T(READY_AFTER + 100));
    expect(job.phase).toBe('Completed');
    expect(job.completedAt).toBe(T(READY_AFTER + 100));
    m.advanceTo(T(READY_AFTER + 200));
    expect(job.groups).toEqual([]);
    expect(job.phase).toBe('Completed');
    expect(m.scheduler.cluster.domainFree(m.scheduler.cluster.layout.pools[0]!.root).wholeGpus).toBe(16);
  });

  it('keeps its progress when it loses its placement', () => {
    const m = model(4);
    const job = create(m, { name: 'train', runFor: seconds(100), priority: resolvePriority('low') });
    m.advanceTo(T(READY_AFTER + 60));
    m.setNodeReady(job.groups[0]!.pods[0]!.node!, false);
    m.advanceTo(T(READY_AFTER + 61));
    expect(job.ranMicros).toBe(seconds(60));
    // Placed again on the next tick, Ready 72 s later, then 40 s more to go.
    m.advanceTo(T(READY_AFTER + 61 + READY_AFTER + 39));
    expect(job.phase).toBe('Running');
    m.advanceTo(T(READY_AFTER + 61 + READY_AFTER + 41));
    expect(job.phase).toBe('Completed');
  });
});
