import { existsSync } from 'node:fs';
import type { ClusterSpec } from '../../sim/cluster/index.ts';
import type { Micros } from '../../sim/engine/index.ts';
import type { SimulatedCluster } from '../../sim/simulator/simulated-cluster.ts';
import type { ServingWatch } from '../../sim/simulator/serving-watch.ts';
import type { WorkloadHistory } from '../../sim/simulator/workload-history.ts';
import type { AllocationHistory } from '../../sim/simulator/allocation-history.ts';
import type { Snapshotted } from '../../sim/simulator/model-snapshot.ts';
import type { WorkloadTraffic } from '../../sim/serving/traffic.ts';
import type { SchedulerConfig } from '../../sim/scheduler/index.ts';
import type { LifecycleDelays } from '../../sim/workloads/delays.ts';
import { Organisation } from '../runai/organisation.ts';
import type { TranslationContext } from '../runai/translate.ts';
import type { CommandResult } from '../../sim/simulator/commands.ts';
import { encodeCommand, type LiveCommand } from './commands.ts';
import { Journal, type Durability, type JournalDamage, type JournalEntry, type WorkloadIdentity } from './journal.ts';
import { UuidNamespace } from '../../sim/config/stable-uuid.ts';
import { DEFAULT_SERVER_LIMITS, type ClusterLimits } from '../../sim/simulator/limits.ts';
import { recoverCompaction } from './compaction-recovery.ts';
import {
  Compactor,
  DEFAULT_COMPACTION,
  type CompactionPolicy,
  type CompactionResult,
  type TakeSnapshot,
} from './compaction.ts';
import { liveSnapshotText, type JournalMeta, type ReplaySettings } from './live-snapshot.ts';
import { applyLive, rebuild, StartRefusedError, type RebuildInput, type Rebuilt } from './rebuild.ts';

export { METRICS_SECONDS } from './rebuild.ts';

/**
 * Thrown by start when the journal has damaged lines and no repair was asked for, or a snapshot it follows is
 * damaged (or from another cluster file), or a compaction left something it cannot sort out.
 */
export class JournalDamagedError extends Error {
  constructor(readonly damage: Pick<JournalDamage, 'message'>) {
    super(damage.message);
    this.name = 'JournalDamagedError';
  }
}

/** Thrown by every access once the journal has failed; the API answers Service Unavailable. */
export class ClusterUnavailableError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ClusterUnavailableError';
  }
}

export interface LiveOptions {
  /** Simulated seconds per wall second; 0 is a manual clock moved only by `advance`. */
  readonly timeScale: number;
  readonly dataDir: string;
  readonly seed: number;
  /** How often the simulation catches up with the clock when nobody asks (ms). */
  readonly tickMs?: number;
  /** Wall clock in ms (injectable for tests). */
  readonly wallClock?: () => number;
  /** How durable an accepted mutation is before its reply (default `process`: survives kill -9). */
  readonly durability?: Durability;
  /** Start on a journal with damaged lines by keeping its readable entries (see Journal.open). */
  readonly repair?: boolean;
  /** What creates and scales may ask for once the journal is replayed; default DEFAULT_SERVER_LIMITS. */
  readonly limits?: ClusterLimits;
  /** The cluster file's `scheduler:` and `delays:` (default: the model's). A replay of the journal uses them too. */
  readonly scheduler?: SchedulerConfig;
  readonly delays?: LifecycleDelays;
  /** The cluster file's `traffic:`: workloads created under these names are served request by request. */
  readonly traffic?: ReadonlyMap<string, WorkloadTraffic>;
  /** When the journal is compacted (default DEFAULT_COMPACTION; `{ entries: 0 }` never). */
  readonly compaction?: CompactionPolicy;
  /** Where notes of the running server go (compactions done or skipped); default nowhere. */
  readonly log?: (message: string) => void;
}

export interface StartReport {
  readonly replayed: number;
  /** The snapshot restored before the replay, if the journal follows one. */
  readonly restored?: string;
  readonly problems: readonly string[];
  readonly seed: number;
  readonly resumedAt: Micros;
}

/**
 * The model driven by the wall clock: simulated time runs `timeScale` times as fast as real time (or only when
 * told, with a manual clock). Every accepted mutation is applied at the current simulated time and journaled
 * before it is acknowledged; on start, the journal is replayed (the model is deterministic) to rebuild the
 * exact state, and the clock resumes where it would have been.
 */
export class LiveCluster {
  private anchorSim: Micros;
  private anchorWall: number;
  private timer: NodeJS.Timeout | undefined;
  private failure: string | undefined;
  private readonly wallClock: () => number;
  /** What creation requests name (this cluster's id, project ids), resolved for every create applied. */
  private readonly names: TranslationContext;
  /**
   * The ids this start hands out, in a namespace of its own: an id shown before a crash but never journaled is
   * not handed to another workload after it. The first start's are the model's own (`<cluster>/workload/<n>`),
   * later ones `<cluster>/workload/<start>.<wall ms>/<n>`.
   */
  private readonly ids: UuidNamespace;
  private idsIssued = 0;
  private compactor: Compactor | undefined;

  private constructor(
    readonly model: SimulatedCluster,
    private readonly journal: Journal,
    readonly timeScale: number,
    resumeAt: Micros,
    wallClock: () => number,
    /** Wall-clock ms of simulated time 0: when this cluster (this journal) was first started. */
    readonly epochMs: number,
    /** The cluster's departments and projects under their Run:ai ids. */
    readonly organisation: Organisation,
    /** Serving metrics of the workloads with traffic (advance with `sync()` first). */
    readonly serving: ServingWatch,
    /** Each workload's events, phase changes and holdings over time. */
    readonly history: WorkloadHistory,
    /** The cluster's figures per pool and queue over time. */
    readonly allocations: AllocationHistory,
    /** The prefix of the ids this start hands out (see `ids`). */
    idPrefix: string,
  ) {
    this.ids = new UuidNamespace(idPrefix);
    this.wallClock = wallClock;
    this.names = namesOf(model, organisation);
    this.anchorSim = resumeAt;
    this.anchorWall = wallClock();
  }

  static async start(spec: ClusterSpec, options: LiveOptions): Promise<{ live: LiveCluster; report: StartReport }> {
    const wallClock = options.wallClock ?? Date.now;
    const { journal, entries, problems } = await openJournal(options);
    const limits = options.limits ?? DEFAULT_SERVER_LIMITS;
    const settings = { spec, scheduler: options.scheduler, delays: options.delays };
    let rebuilt: Rebuilt;
    try {
      rebuilt = rebuild(rebuildInput(spec, options, limits), entries);
    } catch (e) {
      await journal.close();
      throw e instanceof StartRefusedError ? new JournalDamagedError({ message: e.message }) : e;
    }
    const { model, seed, boot } = rebuilt;
    const wallNow = wallClock();
    const resumeAt = resumeTime(rebuilt, options.timeScale, wallNow);
    model.advanceTo(resumeAt);
    model.setLimits(limits);
    const anchor = { at: resumeAt, wallMs: wallNow, timeScale: options.timeScale };
    await journal.append({ kind: 'anchor', ...anchor, clusterId: spec.id, seed, boot });
    const live = new LiveCluster(
      model,
      journal,
      options.timeScale,
      resumeAt,
      wallClock,
      rebuilt.epochMs ?? wallNow,
      new Organisation(spec.departments),
      rebuilt.serving,
      rebuilt.history,
      rebuilt.allocations,
      // The start's wall time too: should the anchor of a start be lost to damage, the next start's number could
      // repeat, its time cannot.
      boot === 0 ? `${spec.id}/workload/` : `${spec.id}/workload/${boot}.${wallNow}/`,
    );
    const meta = { clusterId: spec.id, seed, boots: boot + 1, epochMs: live.epochMs, lastAnchor: anchor };
    live.startCompaction(options, () => live.snapshotText(meta, settings), rebuilt);
    live.startTimer(options.tickMs ?? 100);
    const report = {
      replayed: rebuilt.replayed,
      problems: [...problems, ...rebuilt.problems],
      seed,
      resumedAt: resumeAt,
    };
    const restored = rebuilt.compaction.snapshot;
    return { live, report: restored === undefined || rebuilt.snapshotRebuilt ? report : { ...report, restored } };
  }

  private startCompaction(options: LiveOptions, take: TakeSnapshot, rebuilt: Rebuilt): void {
    const policy = options.compaction ?? DEFAULT_COMPACTION;
    const compactor = new Compactor(
      options.dataDir,
      this.journal,
      policy,
      take,
      options.log ?? (() => {}),
      rebuilt.compaction,
    );
    this.compactor = compactor;
    // A journal replayed at length is compacted at once (the next start is quick), a rebuilt snapshot written anew.
    if (rebuilt.snapshotRebuilt) void compactor.compact();
    else compactor.poke();
  }

  private startTimer(tickMs: number): void {
    if (this.timeScale <= 0) return;
    this.timer = setInterval(() => {
      // Once the cluster has stopped serving (journal failure) there is nothing left to advance.
      if (this.failure !== undefined) clearInterval(this.timer);
      else this.sync();
    }, tickMs);
    this.timer.unref();
  }

  /** The state as a snapshot's text, taken now (for the compactor). */
  private snapshotText(meta: JournalMeta, settings: ReplaySettings): Snapshotted<{ text: string; at: Micros }> {
    if (this.failure !== undefined) return { ok: false, reason: this.failure };
    this.sync();
    const parts = {
      model: this.model,
      history: this.history,
      allocations: this.allocations,
      serving: this.serving,
      meta,
    };
    const text = liveSnapshotText(parts, settings);
    return text.ok ? { ok: true, value: { text: text.value, at: this.model.now } } : text;
  }

  /** Compacts the journal now (see compaction.ts); the server does it on its own when the journal has grown. */
  compact(): Promise<CompactionResult> {
    return this.compactor!.compact();
  }

  /** The simulated time now. */
  clock(): Micros {
    if (this.timeScale === 0) return this.anchorSim;
    return this.anchorSim + Math.round((this.wallClock() - this.anchorWall) * 1000 * this.timeScale);
  }

  /** Brings the model up to the clock: every read and every write starts here. */
  sync(): SimulatedCluster {
    if (this.failure !== undefined) throw new ClusterUnavailableError(this.failure);
    this.model.advanceTo(this.clock());
    return this.model;
  }

  /**
   * Applies a command now; if accepted, it is on disk before this resolves. If the journal cannot be written, the
   * model holds a change the journal lacks: the cluster stops serving (fail-stop, `unavailable`) until a restart
   * rebuilds it from the journal, where that change never happened. `requestText`: a creation's request as the
   * client sent it (see encodeCommand).
   */
  async mutate(command: LiveCommand, requestText?: string): Promise<CommandResult> {
    this.sync();
    const encoded = encodeCommand(command, requestText);
    const identity = command.type === 'create' ? { id: this.nextId() } : undefined;
    let result: CommandResult;
    try {
      result = applyLive(this.model, encoded, this.names, identity);
    } catch (e) {
      // A model bug may have left a half-applied change behind: stop serving rather than serve it.
      this.failure = `the simulation failed applying a request (${e instanceof Error ? e.message : String(e)}); restart lwsim serve to recover from the journal`;
      throw e;
    }
    if (result.ok) {
      let created: WorkloadIdentity | undefined;
      if (identity !== undefined && typeof result.value !== 'string') {
        created = { id: result.value.id, name: result.value.name };
        this.idsIssued++;
      }
      const appended = this.journal.appendCommand(this.model.now, encoded.json, created);
      this.compactor?.poke();
      await this.record(appended);
    }
    return result;
  }

  /** The id the next workload created gets: one never used before in this cluster's journal. */
  private nextId(): string {
    for (; ; this.idsIssued++) {
      const id = this.ids.uuid(String(this.idsIssued));
      if (this.model.workload(id) === undefined) return id;
    }
  }

  /** Why the cluster stopped serving, if it did. */
  get unavailable(): string | undefined {
    return this.failure;
  }

  /** Moves the manual clock forward. */
  async advance(micros: Micros): Promise<Micros> {
    if (this.timeScale !== 0)
      throw new Error(
        'the clock runs with the wall clock (--time-scale > 0); only a manual clock (--time-scale 0) can be advanced',
      );
    this.anchorSim = this.model.now + Math.max(0, Math.round(micros));
    this.sync();
    await this.record(this.journal.append({ kind: 'advance', at: this.anchorSim }));
    return this.anchorSim;
  }

  /** Waits for a journal append; a failed one stops the cluster serving. */
  private async record(appended: Promise<void>): Promise<void> {
    try {
      await appended;
    } catch (e) {
      this.failure = `the journal could not be written (${e instanceof Error ? e.message : String(e)}); restart lwsim serve to recover from the journal`;
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.compactor?.close();
    await this.journal.close();
  }
}

/** Finishes or undoes an interrupted compaction, then opens the journal; damage refuses the start. */
async function openJournal(
  options: LiveOptions,
): Promise<{ journal: Journal; entries: readonly JournalEntry[]; problems: string[] }> {
  const recovered = existsSync(options.dataDir)
    ? recoverCompaction(options.dataDir)
    : { ok: true as const, problems: [] };
  if (!recovered.ok) throw new JournalDamagedError({ message: recovered.message });
  const opened = await Journal.open(options.dataDir, { durability: options.durability, repair: options.repair });
  if (!opened.ok) throw new JournalDamagedError(opened);
  const { journal, recovery } = opened;
  return { journal, entries: recovery.entries, problems: [...recovered.problems, ...recovery.problems] };
}

function rebuildInput(spec: ClusterSpec, options: LiveOptions, limits: ClusterLimits): RebuildInput {
  return {
    spec,
    settings: { spec, scheduler: options.scheduler, delays: options.delays },
    // The history is bounded during the replay too: forgetting a deleted workload changes nothing that happens.
    model: { scheduler: options.scheduler, delays: options.delays, keepDeleted: limits.deletedWorkloadsKept },
    seed: options.seed,
    dataDir: options.dataDir,
    repair: options.repair === true,
    traffic: options.traffic ?? new Map<string, WorkloadTraffic>(),
    names: (model) => namesOf(model, new Organisation(spec.departments)),
  };
}

/** The simulated cluster kept running while the server was down, if the clock is the same one. */
function resumeTime({ lastAt, lastAnchor }: Rebuilt, timeScale: number, wallNow: number): Micros {
  if (lastAnchor === undefined || lastAnchor.timeScale !== timeScale || timeScale <= 0) return lastAt;
  return Math.max(lastAt, lastAnchor.at + Math.round((wallNow - lastAnchor.wallMs) * 1000 * timeScale));
}

function namesOf(model: SimulatedCluster, organisation: Organisation): TranslationContext {
  return { clusterId: model.spec.id, projectName: (id) => organisation.project(id)?.name };
}
