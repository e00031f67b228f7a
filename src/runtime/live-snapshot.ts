// The document a compaction writes: the model's snapshot (sim/simulator/model-snapshot.ts), both histories, and
// what the live cluster knows of the journal before it (cluster, seed, starts, the last anchor), under a
// fingerprint of what a replay depends on besides the journal (the cluster file's spec, scheduler and delays).
// The live cluster's id counter is not in it: each start hands out ids in a namespace of its own (its boot number
// and wall time), so the next start never needs the counter of the start that took the snapshot; the boot count is.
import type { ClusterSpec } from '../../sim/cluster/index.ts';
import type { Micros } from '../../sim/engine/index.ts';
import type { SchedulerConfig } from '../../sim/scheduler/index.ts';
import type { AllocationHistory, AllocationHistorySnapshot } from '../../sim/simulator/allocation-history.ts';
import { MODEL_SNAPSHOT_VERSION, type ModelSnapshot, type Snapshotted } from '../../sim/simulator/model-snapshot.ts';
import type { ServingWatch } from '../../sim/simulator/serving-watch.ts';
import type { SimulatedCluster } from '../../sim/simulator/simulated-cluster.ts';
import type { WorkloadHistory, WorkloadHistorySnapshot } from '../../sim/simulator/workload-history.ts';
import type { LifecycleDelays } from '../../sim/workloads/delays.ts';
import { sha256 } from './snapshot-file.ts';

const FORMAT = 'lwsim-snapshot';

/** What the journal's lines before a snapshot told a start, beyond the model. */
export interface JournalMeta {
  readonly clusterId: string;
  readonly seed: number;
  /** Starts so far: the next start is number `boots` (its ids' namespace). */
  readonly boots: number;
  /** Wall-clock ms of simulated time 0 (the first start). */
  readonly epochMs: number;
  /** The latest anchor: where a running clock resumes from. */
  readonly lastAnchor: { readonly at: Micros; readonly wallMs: number; readonly timeScale: number };
}

export interface LiveSnapshot {
  readonly format: typeof FORMAT;
  readonly version: number;
  readonly fingerprint: string;
  readonly meta: JournalMeta;
  readonly model: ModelSnapshot;
  readonly history: WorkloadHistorySnapshot;
  readonly allocations: AllocationHistorySnapshot;
}

/** What a replay depends on besides the journal; a snapshot is restored only under the same. */
export interface ReplaySettings {
  readonly spec: ClusterSpec;
  readonly scheduler?: SchedulerConfig;
  readonly delays?: LifecycleDelays;
}

export function fingerprint({ spec, scheduler, delays }: ReplaySettings): string {
  const mapsAsEntries = (_: string, v: unknown): unknown => (v instanceof Map ? [...v] : v);
  return sha256(JSON.stringify({ spec, scheduler: scheduler ?? null, delays: delays ?? null }, mapsAsEntries));
}

export interface LiveParts {
  readonly model: SimulatedCluster;
  readonly history: WorkloadHistory;
  readonly allocations: AllocationHistory;
  readonly serving: ServingWatch;
  readonly meta: JournalMeta;
}

/** The snapshot as JSON text (taken and encoded at once: it shares the model's objects), or why there is none. */
export function liveSnapshotText(parts: LiveParts, settings: ReplaySettings): Snapshotted<string> {
  // A served workload's request stream is an iterator (a generator, a trace file being read): not data.
  if (parts.serving.watched > 0)
    return { ok: false, reason: `${parts.serving.watched} workload(s) with traffic are served request by request` };
  const model = parts.model.snapshot();
  if (!model.ok) return model;
  const snapshot: LiveSnapshot = {
    format: FORMAT,
    version: MODEL_SNAPSHOT_VERSION,
    fingerprint: fingerprint(settings),
    meta: parts.meta,
    model: model.value,
    history: parts.history.snapshot(),
    allocations: parts.allocations.snapshot(),
  };
  return { ok: true, value: JSON.stringify(snapshot) };
}

/** A snapshot's text read back, if it is a snapshot of this version taken under these settings. */
export function parseLiveSnapshot(
  text: string,
  settings: ReplaySettings,
):
  | { readonly ok: true; readonly snapshot: LiveSnapshot }
  | { readonly ok: false; readonly message: string; readonly otherSettings?: boolean } {
  let value: Partial<LiveSnapshot>;
  try {
    value = JSON.parse(text) as Partial<LiveSnapshot>;
  } catch (e) {
    return { ok: false, message: `it is not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  if (value.format !== FORMAT || value.version !== MODEL_SNAPSHOT_VERSION)
    return { ok: false, message: `it is not a version ${MODEL_SNAPSHOT_VERSION} lwsim snapshot` };
  if (value.fingerprint !== fingerprint(settings))
    return {
      ok: false,
      otherSettings: true,
      message:
        'it was taken with another cluster file (nodes, organisation, scheduler or delays); start with that file, or use another --data-dir',
    };
  return { ok: true, snapshot: value as LiveSnapshot };
}
