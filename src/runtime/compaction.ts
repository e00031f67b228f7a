// Journal compaction, the file side: the model's state written as a snapshot, and the journal restarted from it,
// so that a start restores the snapshot and replays only the lines after it: restart time no longer grows with
// history.
//
// The steps, and what a crash after each leaves (compaction-recovery.ts acts on it at the next start):
//  1. The snapshot is taken and encoded, and the journal rotated to journal.next.jsonl, whose first line (`base`)
//     names the snapshot by file and SHA-256 — all in one turn of the event loop, so every line before the
//     rotation is in the snapshot and every line after it is not. Lines appended meanwhile wait for the new file.
//     Crash: the old journal is whole, the next one holds the lines since; the snapshot is not there -> the next
//     journal's lines are appended to the old one.
//  2. The snapshot is written to a temp file, synced, renamed to snapshot-<generation>.json, the directory synced.
//     Crash before the rename: as 1 (the temp file is removed). After it: the snapshot is whole -> step 3 is done.
//  3. journal.jsonl becomes journal.prev.jsonl and journal.next.jsonl becomes journal.jsonl. The previous journal
//     and its own snapshot are kept: should the new snapshot be damaged, `--repair` rebuilds it from them.
//  4. Snapshots no journal names are removed.
//
// When: once the journal has `entries` lines (default 20,000) and is at least as large as the last snapshot (so
// compaction costs a bounded share of the writes), checked after each append and at start; it runs off the
// request path (in its own turn of the event loop). A model that cannot be captured exactly (workloads served with
// traffic, a pool placed by an FGD policy) is not compacted: that is logged, and the journal is kept whole.
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Micros } from '../../sim/engine/index.ts';
import type { Snapshotted } from '../../sim/simulator/model-snapshot.ts';
import { JOURNAL_FILE, NEXT_JOURNAL_FILE, PREVIOUS_JOURNAL_FILE } from './compaction-recovery.ts';
import type { BaseEntry, Journal } from './journal.ts';
import { removeSnapshotsBut, sha256, snapshotName, syncDirectoryAsync, writeSnapshot } from './snapshot-file.ts';

export interface CompactionPolicy {
  /** Journal lines after which a compaction is due (0: never compact). */
  readonly entries: number;
}

export const DEFAULT_COMPACTION: CompactionPolicy = { entries: 20_000 };

export type CompactionResult =
  | { readonly ok: true; readonly snapshot: string; readonly bytes: number; readonly at: Micros }
  | { readonly ok: false; readonly reason: string };

/** Where the last compaction left off (from the journal's base line, if it has one). */
export interface CompactionState {
  readonly generation: number;
  readonly snapshot: string | undefined;
  readonly snapshotBytes: number;
}

/** The snapshot's text and simulated time, taken now (synchronously), or why not. */
export type TakeSnapshot = () => Snapshotted<{ readonly text: string; readonly at: Micros }>;

export class Compactor {
  private running: Promise<CompactionResult> | undefined;
  /** Journal lines when a compaction was last refused or failed: not tried again before as many more. */
  private refusedAt = -Infinity;
  private lastRefusal = '';
  /** A failure after the rotation leaves the next journal in use: the next start sorts it out. */
  private broken = false;
  /** The journal is closing: nothing new starts. */
  private closed = false;

  constructor(
    private readonly dir: string,
    private readonly journal: Journal,
    private readonly policy: CompactionPolicy,
    private readonly take: TakeSnapshot,
    private readonly log: (message: string) => void,
    private state: CompactionState,
  ) {}

  /** Whether the journal has grown enough since the last compaction. */
  get due(): boolean {
    const { lines, bytes } = this.journal;
    return (
      this.policy.entries > 0 &&
      !this.broken &&
      lines >= this.policy.entries &&
      bytes >= this.state.snapshotBytes &&
      lines >= this.refusedAt + this.policy.entries
    );
  }

  /** Starts a compaction in a turn of its own if one is due (after an append: never on its request's path). */
  poke(): void {
    if (this.running === undefined && this.due) setImmediate(() => void (this.closed || this.compact()));
  }

  /** Compacts now (or joins the compaction under way). */
  compact(): Promise<CompactionResult> {
    if (this.running !== undefined) return this.running;
    this.running = this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Lets a compaction under way finish and starts no other (before the journal closes). */
  async close(): Promise<void> {
    this.closed = true;
    await this.running;
  }

  private async run(): Promise<CompactionResult> {
    if (this.broken) return { ok: false, reason: 'an earlier compaction failed; restart to recover' };
    if (this.closed) return { ok: false, reason: 'the journal is closing' };
    const started = performance.now();
    const taken = this.take();
    const tookMs = performance.now() - started;
    if (!taken.ok) return this.refused(`not compacted: ${taken.reason}; the journal is kept whole`);
    const { text, at } = taken.value;
    const generation = this.state.generation + 1;
    const name = snapshotName(generation);
    const base: BaseEntry = {
      kind: 'base',
      at,
      snapshot: name,
      sha256: sha256(text),
      generation,
      previousBytes: this.journal.bytes,
    };
    try {
      // Same turn as the snapshot: every line before this is in it, every line after is not.
      await this.journal.rotate(join(this.dir, NEXT_JOURNAL_FILE), `${JSON.stringify(base)}\n`);
    } catch (e) {
      return this.refused(`compaction failed before it changed anything (${messageOf(e)})`);
    }
    try {
      await writeSnapshot(this.dir, name, text);
      await rename(join(this.dir, JOURNAL_FILE), join(this.dir, PREVIOUS_JOURNAL_FILE));
      await rename(join(this.dir, NEXT_JOURNAL_FILE), join(this.dir, JOURNAL_FILE));
      await syncDirectoryAsync(this.dir);
      this.journal.path = join(this.dir, JOURNAL_FILE);
      const keep = new Set([name, ...(this.state.snapshot === undefined ? [] : [this.state.snapshot])]);
      removeSnapshotsBut(this.dir, keep);
    } catch (e) {
      this.broken = true;
      this.log(
        `journal: compaction failed after the journal moved to ${NEXT_JOURNAL_FILE} (${messageOf(e)}); nothing is lost, the next start finishes or undoes it`,
      );
      return { ok: false, reason: messageOf(e) };
    }
    this.state = { generation, snapshot: name, snapshotBytes: text.length };
    this.log(
      `journal: compacted into ${name} (${(text.length / 2 ** 20).toFixed(1)} MiB, taken in ${tookMs.toFixed(0)} ms); the journal restarts from it`,
    );
    return { ok: true, snapshot: name, bytes: text.length, at };
  }

  private refused(reason: string): CompactionResult {
    this.refusedAt = this.journal.lines;
    if (reason !== this.lastRefusal) this.log(`journal: ${reason}`);
    this.lastRefusal = reason;
    return { ok: false, reason };
  }
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
