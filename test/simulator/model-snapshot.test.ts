// Journal compaction's promise, checked on the model: a run that is snapshotted at some point, restored from the
// snapshot's JSON and continued with the same commands ends exactly where the run without a snapshot ends —
// workloads, gangs, cluster state, pending events, random state, histories, and every observer event after the
// snapshot point.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GIB, GPU_UNITS, type ClusterSpec, type PodResources } from '../../sim/cluster/index.ts';
import { seconds } from '../../sim/engine/index.ts';
import { resolvePriority, type PriorityClassName } from '../../sim/scheduler/index.ts';
import { AllocationHistory } from '../../sim/simulator/allocation-history.ts';
import { applyCommand, type Command } from '../../sim/simulator/commands.ts';
import type { ModelSnapshot } from '../../sim/simulator/model-snapshot.ts';
import { SimulatedCluster, type ClusterOptions } from '../../sim/simulator/simulated-cluster.ts';
import { WorkloadHistory } from '../../sim/simulator/workload-history.ts';
import type { InferenceSpec } from '../../sim/workloads/spec.ts';
import { clusterSpec, nodes } from '../support/clusters.ts';

/** Two pools (8-GPU nodes in racks, 4-GPU nodes), two departments of three projects, quotas that make reclaims. */
const SPEC: ClusterSpec = {
  ...clusterSpec(
    { a: [nodes(4, { topology: { rack: 2 } })], b: [nodes(2, { gpu: { model: 'H100-SXM-80GB', count: 4 } })] },
    ['rack'],
  ),
  departments: [
    {
      name: 'd1',
      rank: 0,
      quotas: { a: { deserved: 16 }, b: { deserved: 4 } },
      projects: [
        { name: 'p1', rank: 0, quotas: { a: { deserved: 8 }, b: { deserved: 4 } } },
        { name: 'p2', rank: 0, quotas: { a: { deserved: 8 } } },
      ],
    },
    { name: 'd2', rank: 0, quotas: { a: { deserved: 16 } }, projects: [{ name: 'p3', rank: 0, quotas: {} }] },
  ],
};
const OPTIONS: ClusterOptions = { seed: 7, keepDeleted: 1 };
const NODES = ['a', 'b'].flatMap((pool) => [0, 1, 2, 3].map((i) => `${pool}-${i}`));

type Step =
  | { readonly kind: 'create'; readonly spec: InferenceSpec; readonly prefix: boolean }
  | { readonly kind: 'scale'; readonly ref: number; readonly replicas: number }
  | { readonly kind: 'delete'; readonly ref: number }
  | { readonly kind: 'node'; readonly node: number; readonly ready: boolean }
  | { readonly kind: 'fail-pod'; readonly ref: number; readonly pod: number }
  | { readonly kind: 'advance'; readonly seconds: number };

const gpuRequest = fc.oneof(
  fc.integer({ min: 0, max: 8 }).map((count) => ({ kind: 'devices' as const, count })),
  fc.constantFrom(0.25, 0.5).map((portion) => ({ kind: 'portion' as const, portion })),
);
const resources = gpuRequest.map((gpu): PodResources => ({ gpu, cpuMillis: 4000, memoryBytes: 32 * GIB }));
const template = resources.map((r) => ({ image: 'vllm', resources: r, constraints: {} }));
const specArb = fc
  .record({
    name: fc.constantFrom('llama', 'qwen', 'mixtral', 'phi', 'gemma', 'yi'),
    project: fc.constantFrom('p1', 'p2', 'p3'),
    replicas: fc.integer({ min: 0, max: 3 }),
    workers: fc.integer({ min: 0, max: 2 }),
    startupPolicy: fc.constantFrom('LeaderCreated' as const, 'LeaderReady' as const),
    restartPolicy: fc.constantFrom('RecreateGroupOnPodRestart' as const, 'None' as const),
    leader: template,
    worker: template,
    nodePools: fc.constantFrom([], ['a'], ['b'], ['b', 'a']),
    priority: fc.constantFrom<PriorityClassName>('very-low', 'medium-high', 'very-high').map((p) => resolvePriority(p)),
    topology: fc.option(fc.record({ key: fc.constant('lwsim.io/topology.rack'), required: fc.boolean() })),
    runFor: fc.option(fc.integer({ min: 30, max: 900 }).map(seconds)),
  })
  .map(({ topology, runFor, ...rest }): InferenceSpec => ({
    ...rest,
    ...(topology === null ? {} : { topology }),
    ...(runFor === null ? {} : { runFor }),
  }));
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('create' as const), spec: specArb, prefix: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('scale' as const), ref: fc.nat(), replicas: fc.nat(4) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), ref: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('node' as const), node: fc.nat(7), ready: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fail-pod' as const), ref: fc.nat(), pod: fc.nat(5) }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), seconds: fc.integer({ min: 0, max: 200 }) }),
  },
);

/** A model with its two histories and a log of what its observers heard. */
interface Run {
  readonly model: SimulatedCluster;
  readonly history: WorkloadHistory;
  readonly allocations: AllocationHistory;
  readonly heard: string[];
  readonly ids: string[];
}

function watch(model: SimulatedCluster, ids: string[]): Run {
  const heard: string[] = [];
  const o = model.observers;
  const at = () => model.now;
  o.on('workload-created', (w) => heard.push(`${at()} created ${w.id} ${w.name}`));
  o.on('workload-phase', (w, previous) => heard.push(`${at()} phase ${w.id} ${previous}->${w.phase}`));
  o.on('workload-deleted', (w) => heard.push(`${at()} deleted ${w.id}`));
  o.on('workload-touched', (w) => heard.push(`${at()} touched ${w.id}`));
  // A gang's seq is the scheduler's internal number, renumbered densely (order kept) by a restore: never shown.
  // Its facts are worked out from its spec when first asked for (a cache).
  o.on('scheduling-cycle', (r) =>
    heard.push(`${at()} cycle ${JSON.stringify(r, (k, v) => (k === 'seq' || k === 'facts' ? undefined : v))}`),
  );
  o.on('node-ready', (n, ready) => heard.push(`${at()} node ${n} ${ready}`));
  return { model, history: new WorkloadHistory(model), allocations: new AllocationHistory(model), heard, ids };
}

function apply(run: Run, step: Step): void {
  const { model, ids } = run;
  const ref = (n: number) => ({ id: ids.length === 0 ? 'none' : ids[n % ids.length]! });
  let command: Command;
  switch (step.kind) {
    case 'advance':
      model.advanceTo(model.now + seconds(step.seconds));
      return;
    case 'create':
      command = { type: 'create', spec: step.spec, useGivenNameAsPrefix: step.prefix, createdBy: 'u', request: '{}' };
      break;
    case 'scale':
      command = { type: 'scale', workload: ref(step.ref), replicas: step.replicas };
      break;
    case 'delete':
      command = { type: 'delete', workload: ref(step.ref) };
      break;
    case 'node':
      command = { type: 'node', node: NODES[step.node]!, ready: step.ready };
      break;
    case 'fail-pod': {
      const w = model.workload(ref(step.ref).id);
      const pods = w?.groups.flatMap((g) => g.pods.map((p) => p.name)) ?? [];
      command = { type: 'fail-pod', workload: ref(step.ref), pod: pods[step.pod % Math.max(1, pods.length)] ?? 'x' };
      break;
    }
  }
  const result = applyCommand(model, command);
  if (result.ok && command.type === 'create' && typeof result.value !== 'string') ids.push(result.value.id);
}

/** Everything observable of a run, as one comparable value. */
function state(run: Run): unknown {
  const { model } = run;
  const snapshot = model.snapshot();
  if (!snapshot.ok) throw new Error(snapshot.reason);
  const workloads = [...model.allWorkloads()];
  return {
    now: model.now,
    revision: model.revision,
    snapshot: JSON.parse(JSON.stringify(snapshot.value)),
    pendingEvents: [...model.sim.pending()],
    random: model.sim.randomState(),
    history: workloads.map((w) => [run.history.records(w.id), run.history.allocation(w.id)]),
    historySnapshot: JSON.parse(JSON.stringify(run.history.snapshot())),
    allocations: JSON.parse(JSON.stringify(run.allocations.snapshot())),
    pendingOf: ['p1', 'p2', 'p3'].map((p) => model.scheduler.pendingOf(p)),
    gangs: [...model.scheduler.allGangs()].map((g) => ({ ...g, seq: undefined, facts: undefined })),
    usage: Array.from(model.scheduler.usage.allocated, (u) => u / GPU_UNITS),
  };
}

/** What the snapshots taken had in them: the property means little if none had gangs to restore. */
const coverage = { snapshots: 0, running: 0, reordered: 0, evicted: 0 };

/** Snapshots the run to JSON and restores it into a new one (the histories too), as a restart would. */
function restored(run: Run): Run {
  const model = run.model.snapshot();
  if (!model.ok) throw new Error(model.reason);
  const { gangs, pending, running } = model.value.scheduler;
  const bySeq = gangs.filter((g) => g.phase === 'pending').map((g) => g.id);
  coverage.snapshots++;
  if (running.length > 0) coverage.running++;
  if (pending.join() !== bySeq.join()) coverage.reordered++;
  if (gangs.some((g) => g.evictions > 0)) coverage.evicted++;
  const text = JSON.stringify({
    model: model.value,
    history: run.history.snapshot(),
    allocations: run.allocations.snapshot(),
  });
  const parsed = JSON.parse(text) as {
    model: ModelSnapshot;
    history: ReturnType<WorkloadHistory['snapshot']>;
    allocations: ReturnType<AllocationHistory['snapshot']>;
  };
  const copy = watch(SimulatedCluster.restore(SPEC, OPTIONS, parsed.model), [...run.ids]);
  copy.history.restore(parsed.history);
  copy.allocations.restore(parsed.allocations);
  return copy;
}

/** Runs `steps` twice, once with a snapshot and restore before step `split`, and expects the same end. */
function expectSameWithSnapshot(steps: readonly Step[], split: number): void {
  const straight = watch(SimulatedCluster.create(SPEC, OPTIONS), []);
  let snapped = watch(SimulatedCluster.create(SPEC, OPTIONS), []);
  for (let i = 0; i <= steps.length; i++) {
    if (i === split) {
      straight.heard.length = 0;
      snapped = restored(snapped);
    }
    if (i === steps.length) break;
    apply(straight, steps[i]!);
    apply(snapped, steps[i]!);
  }
  const end = Math.max(straight.model.now, snapped.model.now) + seconds(3600);
  straight.model.advanceTo(end);
  snapped.model.advanceTo(end);
  expect(snapped.heard).toEqual(straight.heard);
  expect(state(snapped)).toEqual(state(straight));
}

const gangOf = (project: string, name: string, gpus: number, priority: PriorityClassName, replicas = 1): Step => ({
  kind: 'create',
  prefix: false,
  spec: {
    name,
    project,
    replicas,
    workers: 0,
    startupPolicy: 'LeaderCreated',
    restartPolicy: 'RecreateGroupOnPodRestart',
    leader: {
      image: 'vllm',
      resources: { gpu: { kind: 'devices', count: gpus }, cpuMillis: 1000, memoryBytes: GIB },
      constraints: {},
    },
    worker: null,
    nodePools: ['a'],
    priority: resolvePriority(priority),
  },
});

describe('model snapshots', () => {
  it('restores reclaimed, displaced and re-queued gangs in the order the scheduler keeps them', () => {
    // p3 (no quota) fills pool a; p1 then reclaims its quota; a node fault sends more gangs back to wait.
    const steps: Step[] = [
      gangOf('p3', 'filler', 8, 'very-low', 4),
      { kind: 'advance', seconds: 200 },
      gangOf('p1', 'owner', 8, 'very-high'),
      gangOf('p2', 'late', 8, 'very-high'),
      { kind: 'advance', seconds: 1 },
      { kind: 'node', node: 1, ready: false },
      gangOf('p2', 'later', 4, 'very-high'),
      { kind: 'advance', seconds: 2 },
      { kind: 'node', node: 1, ready: true },
      { kind: 'advance', seconds: 300 },
    ];
    for (let split = 0; split <= steps.length; split++) expectSameWithSnapshot(steps, split);
    expect(coverage.evicted).toBeGreaterThan(0);
    expect(coverage.reordered).toBeGreaterThan(0);
  });

  it('a restored model continues exactly as the original', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 10, maxLength: 80 }), fc.nat(), (steps, cut) =>
        expectSameWithSnapshot(steps, cut % (steps.length + 1)),
      ),
      { numRuns: Number(process.env.SNAPSHOT_RUNS ?? 60) },
    );
  });

  it('a snapshot of a restored model is the snapshot it was restored from', () => {
    const run = watch(SimulatedCluster.create(SPEC, OPTIONS), []);
    const steps = fc.sample(stepArb, { numRuns: 80, seed: 42 });
    for (const step of steps) apply(run, step);
    expect(state(restored(run))).toEqual(state(run));
  });

  it('refuses a pool placed by an FGD policy (its shape counts are the whole history)', () => {
    const fgd = { ...SPEC, nodePools: SPEC.nodePools.map((p) => ({ ...p, placement: 'fgd' as const })) };
    const snapshot = SimulatedCluster.create(fgd, OPTIONS).snapshot();
    expect(snapshot).toEqual({ ok: false, reason: 'node pool a is placed by policy fgd' });
  });
});
