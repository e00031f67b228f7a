import type { AllocateResult, Binding, ClusterState, PodResources } from '../cluster/index.ts';
import type { GangState } from './gang.ts';
import type { QueueUsage } from './queues.ts';

type Op =
  | { readonly kind: 'bind'; readonly binding: Binding }
  | {
      readonly kind: 'place';
      readonly gang: GangState;
      readonly pool: number;
      readonly bindings: readonly Binding[];
      readonly units: number;
    }
  | {
      readonly kind: 'evict';
      readonly gang: GangState;
      readonly pool: number;
      readonly bindings: readonly Binding[];
      readonly units: number;
    };

export interface CommitResult {
  readonly placed: readonly GangState[];
  readonly evicted: readonly GangState[];
}

/**
 * KAI's statement: tentative binds and evictions applied to the cluster and the quota books at once, so later
 * steps see them, and undone in reverse back to any checkpoint. A gang is placed whole or rolled back; a
 * preemption is committed only when the preemptor really fits. Gang phases change only on commit.
 */
export class Statement {
  private ops: Op[] = [];
  private readonly evictedSeqs = new Set<number>();

  constructor(
    private readonly cluster: ClusterState,
    private readonly usage: QueueUsage,
  ) {}

  checkpoint(): number {
    return this.ops.length;
  }

  /**
   * Binds one pod (on `devices` when a placement policy chose them); the caller records the gang with `place`
   * once every pod is bound.
   */
  allocatePod(node: number, resources: PodResources, devices?: readonly number[]): AllocateResult {
    const result = this.cluster.allocate(node, resources, devices);
    if (result.ok) this.ops.push({ kind: 'bind', binding: result.binding });
    return result;
  }

  place(gang: GangState, pool: number, bindings: readonly Binding[], units: number): void {
    this.usage.charge(gang.project, pool, units, gang.spec.preemptible);
    this.ops.push({ kind: 'place', gang, pool, bindings, units });
  }

  /** Evicts a running gang: its resources are free for the rest of this statement. */
  evict(gang: GangState, units: number): void {
    for (const binding of gang.bindings) this.cluster.release(binding);
    this.usage.charge(gang.project, gang.pool, -units, gang.spec.preemptible);
    this.ops.push({ kind: 'evict', gang, pool: gang.pool, bindings: gang.bindings, units });
    this.evictedSeqs.add(gang.seq);
  }

  isEvicted(gang: GangState): boolean {
    return this.evictedSeqs.has(gang.seq);
  }

  rollback(checkpoint: number): void {
    while (this.ops.length > checkpoint) {
      const op = this.ops.pop()!;
      switch (op.kind) {
        case 'bind':
          this.cluster.release(op.binding);
          break;
        case 'place':
          this.usage.charge(op.gang.project, op.pool, -op.units, op.gang.spec.preemptible);
          break;
        case 'evict':
          for (const binding of op.bindings) this.cluster.restore(binding);
          this.usage.charge(op.gang.project, op.pool, op.units, op.gang.spec.preemptible);
          this.evictedSeqs.delete(op.gang.seq);
          break;
      }
    }
  }

  /** Makes everything since the start permanent and reports which gangs were placed and evicted. */
  commit(): CommitResult {
    const placed: GangState[] = [];
    const evicted: GangState[] = [];
    for (const op of this.ops) {
      if (op.kind === 'place') {
        op.gang.phase = 'running';
        op.gang.pool = op.pool;
        op.gang.bindings = [...op.bindings];
        placed.push(op.gang);
      } else if (op.kind === 'evict') {
        op.gang.phase = 'pending';
        op.gang.pool = -1;
        op.gang.bindings = [];
        evicted.push(op.gang);
      }
    }
    this.ops = [];
    this.evictedSeqs.clear();
    return { placed, evicted };
  }
}
