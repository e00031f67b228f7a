/**
 * KAI-Scheduler's action-test fixtures (pkg/scheduler/actions/.../*_test.go), stated the way KAI states them:
 * named nodes with a GPU count, queues with deserved quota / over-quota weight / limit under departments, and jobs
 * whose tasks either run on a named node or are pending. `runKai` builds that state in lwsim and runs one cycle.
 *
 * How KAI's fixtures translate:
 *  - a job is a gang of all its tasks (KAI's default MinAvailable is the task count); task 0 is the leader;
 *  - a running task is pinned to its node (hostname affinity) and placed before the cycle with the quota gates
 *    lifted, because in KAI it simply is running, whatever its queue's quota says;
 *  - job age follows KAI's jobs_fake: jobs are stably sorted by priority (highest first) and the first is the
 *    oldest, so the order of the table decides ties exactly as in KAI;
 *  - preemptibility follows the priority (>= 100: non-preemptible), as KAI's CalculatePreemptibility does;
 *  - a queue without an over-quota weight has weight 0 (Go's zero value in TestQueueBasic), and without a limit
 *    none; queues without a department go to a `default` department with unlimited deserved quota, as KAI's
 *    test builder does (lwsim writes "unlimited" as the whole cluster);
 *  - KAI's Pipelined (placed on resources that a victim is still releasing) is lwsim's running: lwsim frees a
 *    victim's resources at once; Releasing is lwsim's evicted.
 */
import { expect } from 'vitest';
import type { NodeSetSpec } from '../../sim/cluster/index.ts';
import {
  DEFAULT_SCHEDULER_CONFIG,
  Scheduler,
  type DepartmentSpec,
  type GangSpec,
  type PendingCode,
  type SchedulerActionName,
  type TopologyConstraint,
} from '../../sim/scheduler/index.ts';
import { makeCluster, nodes } from './clusters.ts';
import { gpuRequest, type PodAsk } from './scheduling.ts';

/** KAI's priority constants (pkg/scheduler/constants). */
export const KAI_PRIORITY = { train: 50, interactivePreemptible: 75, build: 100, inference: 125 } as const;

export interface KaiNode {
  readonly gpus: number;
  readonly labels?: Readonly<Record<string, string>>;
  /** Topology domain per level, e.g. { rack: 'rack1' }; domain names must be unique per level. */
  readonly topology?: Readonly<Record<string, string>>;
}

export interface KaiQueue {
  readonly deserved?: number;
  readonly weight?: number;
  readonly limit?: number;
  readonly parent?: string;
  /** KAI's queue Priority above the default: lwsim's rank. */
  readonly priority?: number;
}

export interface KaiJob {
  readonly name: string;
  readonly queue: string;
  /** Per task, as KAI's RequiredGPUsPerTask: 1 = one device, 0.5 = half of one. */
  readonly gpus: PodAsk;
  readonly priority: number;
  /** A running job: the node of each task. */
  readonly on?: readonly string[];
  /** A pending job: how many tasks (default 1). */
  readonly tasks?: number;
  /** Per task: the value of the `kai/affinity` label the task requires (KAI's NodeAffinityNames). */
  readonly affinity?: readonly (string | undefined)[];
  readonly topology?: TopologyConstraint;
}

export interface KaiCase {
  /** Node name -> GPUs, in the order KAI names them (node0, node1, ...). */
  readonly nodes: Readonly<Record<string, number | KaiNode>>;
  /** Topology levels, outermost first (KAI's Topology levels). */
  readonly levels?: readonly string[];
  readonly queues: Readonly<Record<string, KaiQueue>>;
  readonly departments?: Readonly<Record<string, { deserved?: number; limit?: number }>>;
  readonly jobs: readonly KaiJob[];
  readonly placement?: 'binpack' | 'spread';
  /** The actions of the cycle; default lwsim's (allocate, reclaim, preempt). */
  readonly actions?: readonly SchedulerActionName[];
}

export interface KaiOutcome {
  readonly scheduler: Scheduler;
  /** Job -> node of each task (task order), or 'pending'. */
  readonly placements: Record<string, string[] | 'pending'>;
  /** Evicted jobs, sorted by name. */
  readonly evicted: string[];
  /** Pending job -> its reason's code. */
  readonly codes: Record<string, PendingCode>;
  /** Job -> the devices of each task, `node/index,index`. */
  readonly devices: Record<string, string[]>;
}

const POOL = 'pool';
const AFFINITY_LABEL = 'kai/affinity';
const HOSTNAME = 'kubernetes.io/hostname';

export function runKai(c: KaiCase): KaiOutcome {
  const names = Object.keys(c.nodes);
  const sets: NodeSetSpec[] = names.map((name) => {
    const n = c.nodes[name]!;
    const node: KaiNode = typeof n === 'number' ? { gpus: n } : n;
    return nodes(1, {
      namePrefix: 'node',
      gpu: { model: 'H100-SXM-80GB', count: node.gpus },
      labels: { ...node.labels },
      topology: { ...node.topology },
    });
  });
  const cluster = makeCluster({ [POOL]: sets }, [...(c.levels ?? [])]);
  (cluster.layout.pools[0] as { placement: string }).placement = c.placement ?? 'binpack';
  const built = cluster.layout.nodes.map((n) => n.name);
  if (built.join() !== names.join()) throw new Error(`node names ${built.join()} do not follow ${names.join()}`);

  const totalGpus = names.reduce((sum, n) => sum + (typeof c.nodes[n] === 'number' ? c.nodes[n] : c.nodes[n]!.gpus), 0);
  const scheduler = new Scheduler(cluster, departmentsOf(c, totalGpus), {
    config: { ...DEFAULT_SCHEDULER_CONFIG, actions: c.actions ?? DEFAULT_SCHEDULER_CONFIG.actions },
  });

  // KAI's job ages: stable sort by priority, highest (and oldest) first.
  const byAge = [...c.jobs].sort((a, b) => b.priority - a.priority);
  const age = new Map(byAge.map((job, i) => [job.name, i]));

  // Running jobs exist whatever the quota says: lift the gates while placing them, then restore.
  const { deserved, limit } = scheduler.tree;
  const saved = { deserved: deserved.slice(), limit: limit.slice() };
  deserved.fill(Number.MAX_SAFE_INTEGER);
  limit.fill(-1);
  let now = 1000;
  for (const job of c.jobs.filter((j) => j.on !== undefined)) {
    const submitted = scheduler.submit(gangOf(job), age.get(job.name)!);
    if (!submitted.ok) throw new Error(submitted.reason);
    scheduler.cycle(now++);
    if (submitted.gang.phase !== 'running') throw new Error(`running job ${job.name} does not fit where KAI has it`);
  }
  deserved.set(saved.deserved);
  limit.set(saved.limit);

  for (const job of c.jobs.filter((j) => j.on === undefined)) {
    const submitted = scheduler.submit(gangOf(job), age.get(job.name)!);
    if (!submitted.ok) throw new Error(submitted.reason);
  }
  const report = scheduler.cycle(2000);
  const problems = cluster.checkInvariants();
  if (problems.length > 0) throw new Error(problems.join('\n'));

  const placements: Record<string, string[] | 'pending'> = {};
  const codes: Record<string, PendingCode> = {};
  const devices: Record<string, string[]> = {};
  for (const g of scheduler.allGangs()) {
    const nodeName = (n: number): string => cluster.layout.nodes[n]!.name;
    placements[g.spec.id] = g.phase === 'running' ? g.bindings.map((b) => nodeName(b.node)) : 'pending';
    if (g.phase === 'running') devices[g.spec.id] = g.bindings.map((b) => `${nodeName(b.node)}/${b.gpus.join(',')}`);
    if (g.pending) codes[g.spec.id] = g.pending.code;
  }
  return {
    scheduler,
    placements,
    evicted: report.evictions.map((e) => e.victim.spec.id).sort(),
    codes,
    devices,
  };
}

/** What a case expects, in KAI's terms: which pending jobs get placed where, and which running jobs are evicted. */
export interface KaiExpectation {
  /** Pending jobs that end up running (KAI: Binding or Pipelined), node per task. */
  readonly placed?: Readonly<Record<string, readonly string[]>>;
  /** Running jobs KAI releases (Releasing). */
  readonly evicted?: readonly string[];
}

/** Every job's expected placement: running jobs stay unless evicted; pending jobs stay pending unless placed. */
export function expectedPlacements(c: KaiCase, e: KaiExpectation): Record<string, string[] | 'pending'> {
  const evicted = new Set(e.evicted ?? []);
  return Object.fromEntries(
    c.jobs.map((job) => {
      if (job.on !== undefined) return [job.name, evicted.has(job.name) ? 'pending' : [...job.on]];
      const placed = e.placed?.[job.name];
      return [job.name, placed === undefined ? 'pending' : [...placed]];
    }),
  );
}

/** One KAI test case: its name in KAI's table, the fixture, and KAI's expected result. */
export interface KaiGolden extends KaiCase, KaiExpectation {
  /** KAI's `Name` of the case. */
  readonly name: string;
  /** Pending jobs whose reason lwsim must give (KAI only says Pending). */
  readonly codes?: Readonly<Record<string, PendingCode>>;
  /** Jobs of one task -> KAI's GPUGroups label: equal labels must share a device, different ones must not. */
  readonly gpuGroups?: Readonly<Record<string, string>>;
}

/** Runs a case and checks every job's placement, the exact evictions, and the reasons and devices it names. */
export function checkKai(k: KaiGolden): KaiOutcome {
  const out = runKai(k);
  expect(out.placements).toEqual(expectedPlacements(k, k));
  expect(out.evicted).toEqual([...(k.evicted ?? [])].sort());
  for (const [job, code] of Object.entries(k.codes ?? {})) expect(out.codes[job], job).toBe(code);
  const groups = Object.entries(k.gpuGroups ?? {});
  for (const [a, ga] of groups)
    for (const [b, gb] of groups) {
      if (a >= b) continue;
      const same = out.devices[a]![0] === out.devices[b]![0];
      expect(same, `${a} and ${b} ${ga === gb ? 'share' : 'do not share'} a GPU`).toBe(ga === gb);
    }
  return out;
}

function gangOf(job: KaiJob): GangSpec {
  const count = job.on?.length ?? job.tasks ?? 1;
  return {
    id: job.name,
    workload: job.name,
    project: job.queue,
    priority: job.priority,
    preemptible: job.priority < KAI_PRIORITY.build,
    nodePools: [],
    pods: Array.from({ length: count }, (_, i) => {
      const expressions = [
        ...(job.on ? [{ key: HOSTNAME, operator: 'In' as const, values: [job.on[i]!] }] : []),
        ...(job.affinity?.[i] ? [{ key: AFFINITY_LABEL, operator: 'In' as const, values: [job.affinity[i]!] }] : []),
      ];
      return {
        role: i === 0 ? 'leader' : `worker-${i}`,
        resources: { gpu: gpuRequest(job.gpus), cpuMillis: 0, memoryBytes: 0 },
        ...(expressions.length > 0 ? { constraints: { nodeAffinity: [{ matchExpressions: expressions }] } } : {}),
      };
    }),
    ...(job.topology ? { topology: job.topology } : {}),
  };
}

function departmentsOf(c: KaiCase, totalGpus: number): DepartmentSpec[] {
  const quota = (q: { deserved?: number; limit?: number; weight?: number }, weight: number) => ({
    [POOL]: {
      deserved: q.deserved ?? 0,
      limit: q.limit ?? null,
      overQuotaWeight: q.weight ?? weight,
    },
  });
  const declared = c.departments ?? {};
  const parents = [...new Set(Object.values(c.queues).map((q) => q.parent ?? 'default'))];
  return parents.map((name) => ({
    name,
    rank: 0,
    // KAI's builder gives a department an over-quota weight equal to its deserved GPUs.
    quotas: quota(
      name in declared ? declared[name]! : { deserved: totalGpus },
      name in declared ? (declared[name]!.deserved ?? 0) : 1,
    ),
    projects: Object.entries(c.queues)
      .filter(([, q]) => (q.parent ?? 'default') === name)
      .map(([project, q]) => ({ name: project, rank: q.priority ?? 0, quotas: quota(q, 0) })),
  }));
}
