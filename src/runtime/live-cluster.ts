import type { ClusterSpec } from '../../sim/cluster/index.ts';
import type { Micros } from '../../sim/engine/index.ts';
import { ClusterModel } from '../../sim/model/cluster-model.ts';
import { applyCommand, type Command, type CommandResult } from './commands.ts';
import { Journal, type JournalEntry } from './journal.ts';

export interface LiveOptions {
  /** Simulated seconds per wall second; 0 is a manual clock moved only by `advance`. */
  readonly timeScale: number;
  readonly dataDir: string;
  readonly seed: number;
  /** How often the simulation catches up with the clock when nobody asks (ms). */
  readonly tickMs?: number;
  /** Wall clock in ms (injectable for tests). */
  readonly wallClock?: () => number;
}

export interface StartReport {
  readonly replayed: number;
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
  private readonly wallClock: () => number;

  private constructor(
    readonly model: ClusterModel,
    private readonly journal: Journal,
    readonly timeScale: number,
    resumeAt: Micros,
    wallClock: () => number,
    /** Wall-clock ms of simulated time 0: when this cluster (this journal) was first started. */
    readonly epochMs: number,
  ) {
    this.wallClock = wallClock;
    this.anchorSim = resumeAt;
    this.anchorWall = wallClock();
  }

  static async start(spec: ClusterSpec, options: LiveOptions): Promise<{ live: LiveCluster; report: StartReport }> {
    const wallClock = options.wallClock ?? Date.now;
    const { journal, recovery } = await Journal.open(options.dataDir);
    const problems = [...recovery.problems];
    const first = recovery.entries.find((e): e is Extract<JournalEntry, { kind: 'anchor' }> => e.kind === 'anchor');
    if (first && first.clusterId !== spec.id) {
      await journal.close();
      throw new Error(`the journal in ${options.dataDir} belongs to cluster ${first.clusterId}, not ${spec.id}; use another --data-dir`);
    }
    // A replay must use the seed the journal was written with, whatever the flags say now.
    const seed = first?.seed ?? options.seed;
    if (first && first.seed !== options.seed) problems.push(`the journal was written with seed ${first.seed}; replaying with it (not ${options.seed})`);
    const model = ClusterModel.create(spec, { seed });
    let lastAt = 0;
    let lastAnchor: Extract<JournalEntry, { kind: 'anchor' }> | undefined;
    let replayed = 0;
    for (const entry of recovery.entries) {
      model.advanceTo(entry.at);
      lastAt = Math.max(lastAt, entry.at);
      if (entry.kind === 'anchor') lastAnchor = entry;
      if (entry.kind !== 'command') continue;
      const result = applyCommand(model, entry.command);
      if (!result.ok) problems.push(`journal entry ${replayed + 1} no longer applies: ${result.message}`);
      replayed++;
    }
    // The simulated cluster kept running while the server was down, if the clock is the same one.
    const wallNow = wallClock();
    const running = lastAnchor !== undefined && lastAnchor.timeScale === options.timeScale && options.timeScale > 0;
    const resumeAt = running ? Math.max(lastAt, lastAnchor!.at + Math.round((wallNow - lastAnchor!.wallMs) * 1000 * options.timeScale)) : lastAt;
    model.advanceTo(resumeAt);
    await journal.append({ kind: 'anchor', at: resumeAt, wallMs: wallNow, timeScale: options.timeScale, clusterId: spec.id, seed });
    const live = new LiveCluster(model, journal, options.timeScale, resumeAt, wallClock, first?.wallMs ?? wallNow);
    if (options.timeScale > 0) {
      live.timer = setInterval(() => live.sync(), options.tickMs ?? 100);
      live.timer.unref();
    }
    return { live, report: { replayed, problems, seed, resumedAt: resumeAt } };
  }

  /** The simulated time now. */
  clock(): Micros {
    if (this.timeScale === 0) return this.anchorSim;
    return this.anchorSim + Math.round((this.wallClock() - this.anchorWall) * 1000 * this.timeScale);
  }

  /** Brings the model up to the clock: every read and every write starts here. */
  sync(): ClusterModel {
    this.model.advanceTo(this.clock());
    return this.model;
  }

  /** Applies a command now; if accepted, it is on disk before this resolves. */
  async mutate(command: Command): Promise<CommandResult> {
    this.sync();
    const result = applyCommand(this.model, command);
    if (result.ok) await this.journal.append({ kind: 'command', at: this.model.now, command });
    return result;
  }

  /** Moves the manual clock forward. */
  async advance(micros: Micros): Promise<Micros> {
    if (this.timeScale !== 0) throw new Error('the clock runs with the wall clock (--time-scale > 0); only a manual clock (--time-scale 0) can be advanced');
    this.anchorSim = this.model.now + Math.max(0, Math.round(micros));
    this.sync();
    await this.journal.append({ kind: 'advance', at: this.anchorSim });
    return this.anchorSim;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.journal.close();
  }
}
