// Journal compaction, the model's side: the whole state of a SimulatedCluster as plain data, from which
// `SimulatedCluster.restore` builds a model that behaves byte for byte as the original (and so as a replay of
// the whole journal would): same ids, same random draws, same event order from here on.
//
// Design (the file side is src/runtime/snapshot-file.ts and compaction.ts):
// - Pure: `snapshot()` reads, `restore()` builds; no I/O, no clock. The runtime serialises the snapshot with
//   JSON.stringify at once (it shares the model's objects), writes it atomically, and starts a new journal whose
//   first line names it; a restart restores it and replays only that journal's lines.
// - What each stateful part becomes:
//   - engine (Simulation): clock, processed count, the random generator's four words, and the event queue as laid
//     out (heap keys with their sequence numbers, slot generations, free list, payloads): same pop order, same
//     next sequence, same handles.
//   - WorkloadTable: the workloads kept (plain data with their seq), the deleted ones' order, the next seq; the
//     hash indexes are rebuilt (their layout is not observable).
//   - controller: its gang serial; job clock: the tokens; the cluster's own counters (revision, cycle requested,
//     workloads still Creating, desired pods). Its `touched` set must be empty (it is between commands).
//   - scheduler: see scheduler-snapshot.ts (gangs re-submitted in seq order through the public API, maps put in
//     their iteration order, books and cluster state overwritten; caches start empty). A pool placed by an FGD
//     policy cannot be captured exactly (its typical-pod counts are the history of every gang): no snapshot then.
//   - WorkloadHistory and AllocationHistory (observers, outside the model): their own snapshot()/restore().
//   - ServingWatch: its request streams are iterators over generators and trace files; a snapshot is refused
//     while it serves any workload (the runtime then keeps the full journal).
// - The spec and options (cluster file, scheduler config, delays, seed) are not in the snapshot: the restorer
//   passes the same ones (the runtime checks a fingerprint of them).
import type { SimulationSnapshot } from '../engine/index.ts';
import type { ClusterEvent } from './simulated-cluster.ts';
import type { SchedulerSnapshot } from './scheduler-snapshot.ts';
import type { WorkloadTableSnapshot } from './workload-table.ts';
import type { WorkloadState } from '../workloads/state.ts';

export type { Snapshotted } from './scheduler-snapshot.ts';

/** Bumped whenever the shape changes: a snapshot of another version is refused, not misread. */
export const MODEL_SNAPSHOT_VERSION = 1;

export interface ModelSnapshot {
  readonly sim: SimulationSnapshot<ClusterEvent>;
  readonly workloads: WorkloadTableSnapshot;
  readonly gangSerial: number;
  readonly jobTokens: readonly (readonly [string, number])[];
  readonly scheduler: SchedulerSnapshot;
  readonly cycleRequested: boolean;
  readonly changes: number;
  /** The workloads the scheduler has not looked at yet: their seqs, or whole if the table forgot them. */
  readonly creating: readonly (number | WorkloadState)[];
  readonly desiredPods: number;
}
