import type { WorkloadState } from '../workloads/state.ts';
import { KeyIndex } from './key-index.ts';

export interface WorkloadTableSnapshot {
  readonly workloads: readonly WorkloadState[];
  /** Seqs of the deleted workloads kept, oldest first. */
  readonly deleted: readonly number[];
  readonly next: number;
}

/**
 * Every workload the cluster created (deleted ones too, the latest `keepDeleted` of them), at the index of its
 * `seq`, found by id, and the active ones by project and name.
 */
export class WorkloadTable {
  /** By seq; a forgotten deleted workload leaves `undefined` (the array stays dense). */
  private workloads: (WorkloadState | undefined)[] = [];
  /** Seqs of the deleted workloads still kept, oldest first from `deletedHead`. */
  private deleted: number[] = [];
  private deletedHead = 0;
  // How the indexes read a workload's keys back: made once, and bound to this table (a clone has its own).
  private readonly idAt = (seq: number): string => this.workloads[seq]!.id;
  private readonly nameAt = (seq: number): string => this.workloads[seq]!.name;
  /** Workload id -> seq. */
  private ids = new KeyIndex(this.idAt);
  /** Project -> name -> seq, for workloads not deleted. */
  private active = new Map<string, KeyIndex>();
  private nextSeq = 0;

  /** The seq the next workload gets. */
  get next(): number {
    return this.nextSeq;
  }

  /** Adds a workload (its seq must be `next`) under its id, and under its name in its project. */
  add(workload: WorkloadState): void {
    this.workloads[workload.seq] = workload;
    this.nextSeq = workload.seq + 1;
    this.ids.add(workload.id, workload.seq);
    this.names(workload.project).add(workload.name, workload.seq);
  }

  constructor(private readonly keepDeleted: number = Infinity) {}

  at(seq: number): WorkloadState {
    return this.workloads[seq]!;
  }

  byId(id: string): WorkloadState | undefined {
    const seq = this.ids.find(id);
    return seq < 0 ? undefined : this.workloads[seq];
  }

  /** Whether an active workload of `project` is named `name`. */
  nameTaken(project: string, name: string): boolean {
    const names = this.active.get(project);
    return names !== undefined && names.find(name) >= 0;
  }

  /**
   * The workload was deleted: it no longer holds its name, and it joins the deleted ones kept; beyond
   * `keepDeleted` the oldest of those is forgotten (its id no longer found).
   */
  release(workload: WorkloadState): void {
    this.active.get(workload.project)?.remove(workload.name);
    if (this.keepDeleted === Infinity) return;
    this.deleted.push(workload.seq);
    while (this.deleted.length - this.deletedHead > this.keepDeleted) {
      const seq = this.deleted[this.deletedHead++]!;
      this.ids.remove(this.workloads[seq]!.id);
      this.workloads[seq] = undefined;
    }
    // Drop the consumed head now and then, so the queue's array does not grow with history.
    if (this.deletedHead > 1024 && this.deletedHead * 2 > this.deleted.length) {
      this.deleted = this.deleted.slice(this.deletedHead);
      this.deletedHead = 0;
    }
  }

  *all(): IterableIterator<WorkloadState> {
    for (const workload of this.workloads) if (workload !== undefined) yield workload;
  }

  /** The workloads kept (plain data, each with its seq), the deleted ones' order, the next seq. */
  snapshot(): WorkloadTableSnapshot {
    return {
      workloads: [...this.all()],
      deleted: this.deleted.slice(this.deletedHead),
      next: this.nextSeq,
    };
  }

  /** Fills an empty table from a snapshot; the indexes are built again (their layout is no one's business). */
  restore(s: WorkloadTableSnapshot): void {
    for (const workload of s.workloads) {
      this.workloads[workload.seq] = workload;
      this.ids.add(workload.id, workload.seq);
      if (workload.deletedAt === null) this.names(workload.project).add(workload.name, workload.seq);
    }
    this.workloads.length = Math.max(this.workloads.length, s.next);
    this.deleted = [...s.deleted];
    this.deletedHead = 0;
    this.nextSeq = s.next;
  }

  clone(): WorkloadTable {
    const copy = new WorkloadTable(this.keepDeleted);
    copy.workloads = structuredClone(this.workloads);
    copy.deleted = this.deleted.slice(this.deletedHead);
    copy.ids = this.ids.copy(copy.idAt);
    copy.active = new Map([...this.active].map(([project, names]) => [project, names.copy(copy.nameAt)]));
    copy.nextSeq = this.nextSeq;
    return copy;
  }

  private names(project: string): KeyIndex {
    let names = this.active.get(project);
    if (names === undefined) this.active.set(project, (names = new KeyIndex(this.nameAt)));
    return names;
  }
}
