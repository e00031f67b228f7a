import type { AllocateResult, Binding, ClusterState, PodResources, TrialMark } from '../cluster/index.ts';
import type { GangState } from './gang.ts';
import type { QueueUsage } from './queues.ts';

/** Each op remembers where the cluster's trial stood before it, to undo back to. */
type Op = { readonly mark: TrialMark } & (
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
    }
);

export interface CommitResult {
  readonly placed: readonly GangState[];
  readonly evicted: readonly GangState[];
  /** The pool each evicted gang ran in (its `pool` is reset by the commit), in the order of `evicted`. */
  readonly evictedFrom: readonly number[];
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
    const mark = this.open();
    const result = this.cluster.allocate(node, resources, devices);
    if (result.ok) this.ops.push({ kind: 'bind', binding: result.binding, mark });
    else if (this.ops.length === 0) this.cluster.endTrial();
    return result;
  }

  place(gang: GangState, pool: number, bindings: readonly Binding[], units: number): void {
    const mark = this.open();
    this.usage.charge(gang.project, pool, units, gang.spec.preemptible);
    this.ops.push({ kind: 'place', gang, pool, bindings, units, mark });
  }

  /** Evicts a running gang: its resources are free for the rest of this statement. */
  evict(gang: GangState, units: number): void {
    const mark = this.open();
    for (const binding of gang.bindings) this.cluster.release(binding);
    this.usage.charge(gang.project, gang.pool, -units, gang.spec.preemptible);
    this.ops.push({ kind: 'evict', gang, pool: gang.pool, bindings: gang.bindings, units, mark });
    this.evictedSeqs.add(gang.seq);
  }

  isEvicted(gang: GangState): boolean {
    return this.evictedSeqs.has(gang.seq);
  }

  /** Undoes every op after the checkpoint; the cluster returns exactly to its state then (see ClusterState.undoTo). */
  rollback(checkpoint: number): void {
    if (this.ops.length <= checkpoint) return;
    const mark = this.ops[checkpoint]!.mark;
    while (this.ops.length > checkpoint) {
      const op = this.ops.pop()!;
      if (op.kind === 'place') this.usage.charge(op.gang.project, op.pool, -op.units, op.gang.spec.preemptible);
      if (op.kind === 'evict') {
        this.usage.charge(op.gang.project, op.pool, op.units, op.gang.spec.preemptible);
        this.evictedSeqs.delete(op.gang.seq);
      }
    }
    this.cluster.undoTo(mark);
    if (this.ops.length === 0) this.cluster.endTrial();
  }

  /** The cluster's trial is open while the statement holds ops. */
  private open(): TrialMark {
    if (this.ops.length === 0) this.cluster.beginTrial();
    return this.cluster.mark();
  }

  /** Makes everything since the start permanent and reports which gangs were placed and evicted. */
  commit(): CommitResult {
    const placed: GangState[] = [];
    const evicted: GangState[] = [];
    const evictedFrom: number[] = [];
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
        evictedFrom.push(op.pool);
      }
    }
    this.ops = [];
    this.evictedSeqs.clear();
    this.cluster.endTrial();
    return { placed, evicted, evictedFrom };
  }
}
