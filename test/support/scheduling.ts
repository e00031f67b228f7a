import { GIB, type GpuRequest, type NodeSetSpec } from '../../sim/cluster/index.ts';
import {
  Scheduler,
  type DepartmentSpec,
  type GangPod,
  type GangSpec,
  type PodConstraints,
  type TopologyConstraint,
} from '../../sim/scheduler/index.ts';
import { makeCluster } from './clusters.ts';

/** A pod's GPU ask, as fixtures write it: 2 = two devices, 0.5 = half a device, '20Gi' = 20 GiB of one. */
export type PodAsk = number | `${number}Gi`;

export interface JobFixture {
  readonly id: string;
  readonly project: string;
  readonly pods: readonly PodAsk[];
  readonly priority?: number;
  readonly preemptible?: boolean;
  readonly nodePools?: readonly string[];
  readonly constraints?: PodConstraints;
  readonly topology?: TopologyConstraint;
  readonly cpu?: number;
}

export function gpuRequest(ask: PodAsk): GpuRequest {
  if (typeof ask === 'string') return { kind: 'memory', bytes: Number(ask.slice(0, -2)) * GIB };
  if (ask === 0) return { kind: 'none' };
  return Number.isInteger(ask) ? { kind: 'devices', count: ask } : { kind: 'portion', portion: ask };
}

export function gang(job: JobFixture): GangSpec {
  const pods: GangPod[] = job.pods.map((ask, i) => ({
    role: i === 0 ? 'leader' : `worker-${i}`,
    resources: { gpu: gpuRequest(ask), cpuMillis: (job.cpu ?? 1) * 1000, memoryBytes: GIB },
    ...(job.constraints ? { constraints: job.constraints } : {}),
  }));
  return {
    id: job.id,
    workload: job.id,
    project: job.project,
    priority: job.priority ?? 50,
    preemptible: job.preemptible ?? (job.priority ?? 50) < 100,
    pods,
    nodePools: job.nodePools ?? [],
    ...(job.topology ? { topology: job.topology } : {}),
  };
}

/** departments: name -> { quota per pool, projects: name -> quota per pool }. */
export function departments(
  spec: Record<
    string,
    {
      deserved?: Record<string, number>;
      limit?: Record<string, number>;
      weight?: number;
      rank?: number;
      projects: Record<
        string,
        { deserved?: Record<string, number>; limit?: Record<string, number>; weight?: number; rank?: number }
      >;
    }
  >,
): DepartmentSpec[] {
  const quotas = (q: { deserved?: Record<string, number>; limit?: Record<string, number>; weight?: number }) => {
    const pools = new Set([...Object.keys(q.deserved ?? {}), ...Object.keys(q.limit ?? {})]);
    const out: Record<string, { deserved?: number; limit?: number; overQuotaWeight?: number }> = {};
    for (const pool of pools) {
      out[pool] = {
        ...(q.deserved?.[pool] !== undefined ? { deserved: q.deserved[pool] } : {}),
        ...(q.limit?.[pool] !== undefined ? { limit: q.limit[pool] } : {}),
        ...(q.weight !== undefined ? { overQuotaWeight: q.weight } : {}),
      };
    }
    return out;
  };
  return Object.entries(spec).map(([name, d]) => ({
    name,
    rank: d.rank ?? 0,
    quotas: quotas(d),
    projects: Object.entries(d.projects).map(([projectName, p]) => ({
      name: projectName,
      rank: p.rank ?? 0,
      quotas: quotas(p),
    })),
  }));
}

/** A KAI-style fixture: cluster, queues, jobs already running (placed in order), jobs to schedule. */
export interface Fixture {
  readonly pools: Record<string, NodeSetSpec[]>;
  readonly levels?: string[];
  readonly departments: DepartmentSpec[];
  readonly running?: readonly JobFixture[];
  readonly pending: readonly JobFixture[];
}

export interface Outcome {
  readonly scheduler: Scheduler;
  /** Job id -> node name per pod, or 'pending'. */
  readonly placements: Record<string, string[] | 'pending'>;
  readonly evicted: string[];
  readonly reasons: Record<string, string>;
}

export function runFixture(fixture: Fixture): Outcome {
  const cluster = makeCluster(fixture.pools, fixture.levels ?? []);
  const scheduler = new Scheduler(cluster, fixture.departments);
  let now = 0;
  for (const job of fixture.running ?? []) {
    const submitted = scheduler.submit(gang(job), now);
    if (!submitted.ok) throw new Error(submitted.reason);
    scheduler.cycle(now++);
    if (submitted.gang.phase !== 'running')
      throw new Error(`fixture job ${job.id} did not start: ${submitted.gang.pending?.message}`);
  }
  for (const job of fixture.pending) {
    const submitted = scheduler.submit(gang(job), now);
    if (!submitted.ok) throw new Error(submitted.reason);
  }
  const report = scheduler.cycle(now);
  const problems = cluster.checkInvariants();
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const placements: Record<string, string[] | 'pending'> = {};
  const reasons: Record<string, string> = {};
  for (const g of scheduler.allGangs()) {
    placements[g.spec.id] =
      g.phase === 'running' ? g.bindings.map((b) => cluster.layout.nodes[b.node]!.name) : 'pending';
    if (g.pending) reasons[g.spec.id] = g.pending.message;
  }
  return { scheduler, placements, evicted: report.evictions.map((e) => e.victim.spec.id), reasons };
}

export type { NodeSetSpec };
