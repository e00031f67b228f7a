import { GPU_UNITS, type DepartmentSpec, type PoolQuota, type QueueSpec } from '../cluster/index.ts';

export type { DepartmentSpec, PoolQuota, QueueSpec };

export const DEFAULT_QUOTA: PoolQuota = { deserved: 0, limit: null, overQuotaWeight: 1 };

export type QueueKind = 'department' | 'project';

export interface QueueInfo {
  readonly index: number;
  readonly name: string;
  readonly kind: QueueKind;
  /** The department of a project; -1 for a department. */
  readonly parent: number;
  readonly children: readonly number[];
  readonly rank: number;
}

/**
 * The two-level queue hierarchy of Run:ai (departments > projects) with quotas per node pool, in GPU units.
 * Static: built once and shared by forks; what changes lives in QueueUsage.
 */
export class QueueTree {
  readonly queues: readonly QueueInfo[];
  readonly departments: readonly number[];
  readonly projects: readonly number[];
  /** [queue * pools + pool], in GPU units; limit -1 = none. */
  readonly deserved: Float64Array;
  readonly limit: Float64Array;
  readonly weight: Float64Array;
  private readonly byName: ReadonlyMap<string, number>;

  constructor(
    departments: readonly DepartmentSpec[],
    readonly poolNames: readonly string[],
  ) {
    const queues: QueueInfo[] = [];
    const specs: QueueSpec[] = [];
    for (const department of departments) {
      const d = queues.length;
      const children: number[] = [];
      queues.push({ index: d, name: department.name, kind: 'department', parent: -1, children, rank: department.rank });
      specs.push(department);
      for (const project of department.projects) {
        children.push(queues.length);
        queues.push({
          index: queues.length,
          name: project.name,
          kind: 'project',
          parent: d,
          children: [],
          rank: project.rank,
        });
        specs.push(project);
      }
    }
    this.queues = queues;
    this.departments = queues.filter((q) => q.kind === 'department').map((q) => q.index);
    this.projects = queues.filter((q) => q.kind === 'project').map((q) => q.index);
    const size = queues.length * poolNames.length;
    this.deserved = new Float64Array(size);
    this.limit = new Float64Array(size);
    this.weight = new Float64Array(size);
    specs.forEach((spec, q) =>
      poolNames.forEach((pool, p) => {
        const quota = { ...DEFAULT_QUOTA, ...spec.quotas[pool] };
        this.deserved[q * poolNames.length + p] = Math.round(quota.deserved * GPU_UNITS);
        this.limit[q * poolNames.length + p] = quota.limit === null ? -1 : Math.round(quota.limit * GPU_UNITS);
        this.weight[q * poolNames.length + p] = quota.overQuotaWeight;
      }),
    );
    this.byName = new Map(queues.filter((q) => q.kind === 'project').map((q) => [q.name, q.index]));
  }

  get pools(): number {
    return this.poolNames.length;
  }

  /** A project by name (projects are what workloads are submitted to). */
  project(name: string): QueueInfo | undefined {
    const index = this.byName.get(name);
    return index === undefined ? undefined : this.queues[index];
  }

  /** The project and its department: the chain every charge and every quota check walks. */
  chain(project: number): readonly [number, number] {
    return [project, this.queues[project]!.parent];
  }

  slot(queue: number, pool: number): number {
    return queue * this.poolNames.length + pool;
  }
}

/** What each queue holds and asks for, per pool, in GPU units. Kept current by every bind and eviction. */
export class QueueUsage {
  readonly allocated: Float64Array;
  readonly allocatedNonPreemptible: Float64Array;
  /** Requests of pending gangs, charged to the first pool each lists. */
  readonly pending: Float64Array;
  /** Slots whose allocation or pending demand changed since the fair share last looked (FairShareCache). */
  readonly changed: Uint8Array;

  constructor(readonly tree: QueueTree) {
    const size = tree.queues.length * tree.pools;
    this.allocated = new Float64Array(size);
    this.allocatedNonPreemptible = new Float64Array(size);
    this.pending = new Float64Array(size);
    this.changed = new Uint8Array(size).fill(1);
  }

  /** Adds (or with a negative amount removes) an allocation to a project and its department. */
  charge(project: number, pool: number, units: number, preemptible: boolean): void {
    for (const q of this.tree.chain(project)) {
      const slot = this.tree.slot(q, pool);
      this.allocated[slot]! += units;
      if (!preemptible) this.allocatedNonPreemptible[slot]! += units;
      this.changed[slot] = 1;
    }
  }

  addPending(project: number, pool: number, units: number): void {
    for (const q of this.tree.chain(project)) {
      const slot = this.tree.slot(q, pool);
      this.pending[slot]! += units;
      this.changed[slot] = 1;
    }
  }

  clone(): QueueUsage {
    const copy = new QueueUsage(this.tree);
    copy.allocated.set(this.allocated);
    copy.allocatedNonPreemptible.set(this.allocatedNonPreemptible);
    copy.pending.set(this.pending);
    copy.changed.set(this.changed);
    return copy;
  }
}
