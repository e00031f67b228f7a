// A start's rebuild of the model from the data directory: the snapshot the journal's base line names (if any),
// then the journal's lines replayed through the deterministic model. A damaged snapshot refuses the start; with
// --repair it is rebuilt from the journal before it (journal.prev.jsonl) and that journal's own snapshot.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterSpec } from '../../sim/cluster/index.ts';
import type { Micros } from '../../sim/engine/index.ts';
import { AllocationHistory } from '../../sim/simulator/allocation-history.ts';
import { applyCommand, type CommandResult } from '../../sim/simulator/commands.ts';
import { ServingWatch } from '../../sim/simulator/serving-watch.ts';
import { SimulatedCluster, type ClusterOptions, type GivenIdentity } from '../../sim/simulator/simulated-cluster.ts';
import { WorkloadHistory } from '../../sim/simulator/workload-history.ts';
import { streamRandom } from '../../sim/scenario/seeds.ts';
import type { WorkloadTraffic } from '../../sim/serving/traffic.ts';
import type { TranslationContext } from '../runai/translate.ts';
import { fileLines } from '../serving/trace-file.ts';
import { clusterCommand, encodeCommand, type EncodedCommand } from './commands.ts';
import { isBase, PREVIOUS_JOURNAL_FILE } from './compaction-recovery.ts';
import type { CompactionState } from './compaction.ts';
import { readJournal } from './journal-file.ts';
import type { BaseEntry, JournalEntry } from './journal.ts';
import { parseLiveSnapshot, type LiveSnapshot, type ReplaySettings } from './live-snapshot.ts';
import { readSnapshot } from './snapshot-file.ts';

/** Simulated seconds between the samples of a served workload's metrics (Prometheus's usual scrape interval). */
export const METRICS_SECONDS = 15;

/** Thrown when a start cannot go on safely (a damaged journal or snapshot); the message says what to do. */
export class StartRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartRefusedError';
  }
}

type Anchor = Extract<JournalEntry, { kind: 'anchor' }>;

export interface RebuildInput {
  readonly spec: ClusterSpec;
  readonly settings: ReplaySettings;
  readonly model: Omit<ClusterOptions, 'seed'>;
  readonly seed: number;
  readonly dataDir: string;
  readonly repair: boolean;
  readonly traffic: ReadonlyMap<string, WorkloadTraffic>;
  readonly names: (model: SimulatedCluster) => TranslationContext;
}

export interface Rebuilt {
  readonly model: SimulatedCluster;
  readonly serving: ServingWatch;
  readonly history: WorkloadHistory;
  readonly allocations: AllocationHistory;
  readonly seed: number;
  /** Starts before this one. */
  readonly boot: number;
  /** Wall-clock ms of the first start, if known. */
  readonly epochMs: number | undefined;
  readonly lastAt: Micros;
  readonly lastAnchor: { readonly at: Micros; readonly wallMs: number; readonly timeScale: number } | undefined;
  /** Commands replayed (after the snapshot, if any). */
  readonly replayed: number;
  readonly compaction: CompactionState;
  /** The snapshot the journal names was damaged and its state rebuilt (--repair): a new one is due at once. */
  readonly snapshotRebuilt: boolean;
  readonly problems: string[];
}

/** The model and its observers as the data directory holds them, the journal's `entries` replayed. */
export function rebuild(input: RebuildInput, entries: readonly JournalEntry[]): Rebuilt {
  const problems: string[] = [];
  const base = isBase(entries[0]) ? entries[0] : undefined;
  const start = base === undefined ? undefined : startingPoint(input, base, problems);
  const lines = [...(start?.before ?? []), ...entries.filter((e) => e.kind !== 'base')];
  const anchors = lines.filter((e): e is Anchor => e.kind === 'anchor');
  const first = anchors[0];
  const clusterId = start?.snapshot?.meta.clusterId ?? first?.clusterId;
  if (clusterId !== undefined && clusterId !== input.spec.id)
    throw new StartRefusedError(
      `the journal in ${input.dataDir} belongs to cluster ${clusterId}, not ${input.spec.id}; use another --data-dir`,
    );
  // A replay must use the seed the journal was written with, whatever the flags say now.
  const seed = start?.snapshot?.meta.seed ?? first?.seed ?? input.seed;
  if (seed !== input.seed)
    problems.push(`the journal was written with seed ${seed}; replaying with it (not ${input.seed})`);
  const parts = observed(input, seed, start?.snapshot);
  const meta = start?.snapshot?.meta;
  let lastAt = start?.snapshot?.model.sim.clock ?? 0;
  let lastAnchor: Rebuilt['lastAnchor'] = meta?.lastAnchor;
  let replayed = 0;
  const names = input.names(parts.model);
  for (const entry of lines) {
    parts.model.advanceTo(entry.at);
    lastAt = Math.max(lastAt, entry.at);
    if (entry.kind === 'anchor') lastAnchor = entry;
    if (entry.kind !== 'command') continue;
    try {
      const result = applyLive(parts.model, encodeCommand(entry.command, entry.requestText), names, entry.created);
      if (!result.ok) problems.push(`journal entry ${replayed + 1} no longer applies: ${result.message}`);
    } catch (e) {
      problems.push(
        `journal entry ${replayed + 1} failed and was skipped: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    replayed++;
  }
  const boot = anchors.reduce((n, a, i) => Math.max(n, (a.boot ?? i) + 1), meta?.boots ?? 0);
  const compaction = start?.compaction ?? { generation: 0, snapshot: undefined, snapshotBytes: 0 };
  return {
    ...parts,
    snapshotRebuilt: start?.rebuilt === true,
    seed,
    boot,
    epochMs: meta?.epochMs ?? first?.wallMs,
    lastAt,
    lastAnchor,
    replayed,
    compaction,
    problems,
  };
}

/** The model over the spec (from the snapshot, if any) and what watches it. */
function observed(
  input: RebuildInput,
  seed: number,
  snapshot: LiveSnapshot | undefined,
): Pick<Rebuilt, 'model' | 'serving' | 'history' | 'allocations'> {
  const options = { ...input.model, seed };
  const model = snapshot
    ? SimulatedCluster.restore(input.spec, options, snapshot.model)
    : SimulatedCluster.create(input.spec, options);
  // Watching from the first entry on: a replayed journal serves its workloads exactly as they were served.
  const serving = new ServingWatch(model, {
    random: (name) => streamRandom(seed, `traffic/${name}`),
    traceLines: fileLines,
    metricsSeconds: METRICS_SECONDS,
  });
  const history = new WorkloadHistory(model);
  const allocations = new AllocationHistory(model);
  if (snapshot) {
    history.restore(snapshot.history);
    allocations.restore(snapshot.allocations);
  }
  model.observers.on('workload-created', (w) => {
    const t = input.traffic.get(w.requestedName);
    if (t !== undefined) serving.watch(w, t);
  });
  return { model, serving, history, allocations };
}

interface StartingPoint {
  readonly snapshot: LiveSnapshot | undefined;
  /** Lines to replay before the journal's own (a repair's: the previous journal's). */
  readonly before: readonly JournalEntry[];
  readonly compaction: CompactionState;
  /** The named snapshot was damaged: this is its state rebuilt. */
  readonly rebuilt: boolean;
}

/** The snapshot a base line names, or with --repair the state it held, rebuilt from the journal before it. */
function startingPoint(input: RebuildInput, base: BaseEntry, problems: string[]): StartingPoint {
  const loaded = loadSnapshot(input, base);
  const compaction = { generation: base.generation, snapshot: base.snapshot, snapshotBytes: 0 };
  if (loaded.ok)
    return {
      snapshot: loaded.snapshot,
      before: [],
      compaction: { ...compaction, snapshotBytes: loaded.bytes },
      rebuilt: false,
    };
  // Another cluster file is no damage: the previous snapshot would not fit it either.
  if (loaded.otherSettings) throw new StartRefusedError(loaded.message);
  const previous = join(input.dataDir, PREVIOUS_JOURNAL_FILE);
  const rebuildable = existsSync(previous) && statSync(previous).size === base.previousBytes;
  if (!input.repair)
    throw new StartRefusedError(
      `${loaded.message}; the journal's lines follow that snapshot, so they cannot be replayed without it. ` +
        (rebuildable
          ? `Start with --repair to rebuild it from ${previous} (and the snapshot that journal names).`
          : `${previous} is not there to rebuild it from (or is not the journal before it): restore ${base.snapshot} from a backup, or start over with another --data-dir.`),
    );
  if (!rebuildable)
    throw new StartRefusedError(
      `${loaded.message}; ${previous} is not the journal before it: --repair cannot rebuild it`,
    );
  const reading = readJournal(previous);
  if (reading.damaged.length > 0) throw new StartRefusedError(`${loaded.message}; ${previous} is damaged too`);
  const before = reading.entries;
  const earlier = isBase(before[0]) ? loadSnapshot(input, before[0]) : undefined;
  if (earlier !== undefined && !earlier.ok) throw new StartRefusedError(`${loaded.message}; ${earlier.message}`);
  problems.push(`repaired: ${loaded.message}; its state was rebuilt from ${previous}`);
  // The damaged snapshot's generation is used up; the next compaction writes a new one.
  return { snapshot: earlier?.snapshot, before: before.filter((e) => e.kind !== 'base'), compaction, rebuilt: true };
}

function loadSnapshot(
  input: RebuildInput,
  base: BaseEntry,
): { ok: true; snapshot: LiveSnapshot; bytes: number } | { ok: false; message: string; otherSettings?: boolean } {
  const read = readSnapshot(input.dataDir, base);
  if (!read.ok) return read;
  const parsed = parseLiveSnapshot(read.text, input.settings);
  if (!parsed.ok)
    return {
      ok: false,
      message: `${join(input.dataDir, base.snapshot)}: ${parsed.message}`,
      otherSettings: parsed.otherSettings,
    };
  return { ok: true, snapshot: parsed.snapshot, bytes: read.text.length };
}

export function applyLive(
  model: SimulatedCluster,
  encoded: EncodedCommand,
  names: TranslationContext,
  identity?: GivenIdentity,
): CommandResult {
  const translated = clusterCommand(encoded, names, identity);
  return translated.ok ? applyCommand(model, translated.command) : translated;
}
