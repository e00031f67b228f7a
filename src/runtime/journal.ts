import { closeSync, existsSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Micros } from '../../sim/engine/index.ts';
import type { LiveCommand } from './commands.ts';
import { createdField, readJournal, repairJournal, truncateJournal, type DamagedLine } from './journal-file.ts';

/** One line of the journal. */
export type JournalEntry =
  | {
      readonly kind: 'command';
      readonly at: Micros;
      readonly command: LiveCommand;
      /**
       * What a creation created: a replay gives the workload this id and name again, so that an id once shown
       * names the same workload whatever happens to the lines before it. (Older journals lack it.)
       */
      readonly created?: WorkloadIdentity;
      /** A creation's request as its line holds it (read back, never written: the line is the request's text). */
      readonly requestText?: string;
    }
  /** The manual clock was moved to `at`. */
  | { readonly kind: 'advance'; readonly at: Micros }
  /**
   * The server (re)started: simulated time `at` corresponded to wall time `wallMs` at `timeScale`. The first
   * anchor also fixes what a replay needs to be exact: the cluster and the seed.
   */
  | {
      readonly kind: 'anchor';
      readonly at: Micros;
      readonly wallMs: number;
      readonly timeScale: number;
      readonly clusterId: string;
      readonly seed: number;
      /** How many starts came before this one: the namespace of the workload ids this start hands out. */
      readonly boot?: number;
    }
  /**
   * A compacted journal's first line: the state at `at` is the snapshot in `snapshot` (a file of the data
   * directory, checked by its SHA-256), and the lines after this one follow it (see compaction.ts).
   */
  | {
      readonly kind: 'base';
      readonly at: Micros;
      readonly snapshot: string;
      readonly sha256: string;
      readonly generation: number;
      /** Bytes of the journal this one follows (journal.prev.jsonl once the compaction is done). */
      readonly previousBytes: number;
    };

export type BaseEntry = Extract<JournalEntry, { kind: 'base' }>;

export interface WorkloadIdentity {
  readonly id: string;
  readonly name: string;
}

export interface JournalRecovery {
  readonly entries: JournalEntry[];
  /** What was cut or repaired, for the operator. */
  readonly problems: string[];
}

export interface JournalOptions {
  readonly durability?: Durability;
  /**
   * Start even though complete lines are damaged: the readable ones are written to a new journal, and the damaged
   * file is kept beside it.
   */
  readonly repair?: boolean;
}

/** Why a journal was not opened: damaged lines, and no repair asked for. */
export interface JournalDamage {
  readonly ok: false;
  readonly path: string;
  readonly damaged: readonly DamagedLine[];
  /** Lines that would be kept by a repair. */
  readonly readable: number;
  readonly message: string;
}

/**
 * How far an append goes before the caller may reply:
 *  - `process`: written to the operating system (one write system call): survives the process being killed
 *    (`kill -9`), not the machine losing power;
 *  - `disk`: also synced to the disk (fdatasync), concurrent appends sharing one sync (group commit): survives
 *    power loss too, at a throughput cost.
 */
export type Durability = 'process' | 'disk';

/** The write-ahead record of every accepted mutation, one JSON line each, in `<data-dir>/journal.jsonl`. */
export class Journal {
  private handle: FileHandle | undefined;
  private fd: number | undefined;
  /** The lines waiting to be written; they share one outcome. */
  private batch: Batch | undefined;
  private flushing: Promise<unknown> | undefined;
  /** While a disk journal moves to its next file, appends gather but are not written. */
  private rotating = false;
  /** Lines and bytes in the file now (what a compaction policy weighs). */
  private lineCount = 0;
  private byteCount = 0;

  private constructor(
    /** The file appended to (journal.jsonl; during a compaction, the next journal). */
    public path: string,
    readonly durability: Durability,
  ) {}

  get lines(): number {
    return this.lineCount;
  }

  get bytes(): number {
    return this.byteCount;
  }

  /**
   * Reads what is there, cutting off a torn tail, then opens for append. Damaged lines refuse the journal unless
   * `repair` is set.
   */
  static async open(
    dataDir: string,
    options: JournalOptions = {},
  ): Promise<{ ok: true; journal: Journal; recovery: JournalRecovery } | JournalDamage> {
    const durability = options.durability ?? 'process';
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, 'journal.jsonl');
    const problems: string[] = [];
    let entries: JournalEntry[] = [];
    if (existsSync(path)) {
      const reading = readJournal(path);
      entries = reading.entries;
      if (reading.damaged.length > 0) {
        const lines = reading.damaged.map((d) => `  line ${d.line} at byte ${d.offset}: ${d.lost}`);
        if (options.repair !== true)
          return {
            ok: false,
            path,
            damaged: reading.damaged,
            readable: reading.readable.length,
            message: [
              `${path}: ${reading.damaged.length} damaged line(s) in the journal:`,
              ...lines,
              `start with --repair to keep the ${reading.readable.length} readable entries (the damaged file is kept)`,
            ].join('\n'),
          };
        const kept = repairJournal(path, reading.readable);
        problems.push(
          `repaired: ${reading.damaged.length} damaged line(s) dropped, ${reading.readable.length} kept; the damaged journal is ${kept}`,
          ...lines,
        );
      } else if (reading.tornTail !== undefined) {
        truncateJournal(path, reading.tornTail.offset);
        problems.push(
          `${path}: ${reading.tornTail.bytes} bytes at byte ${reading.tornTail.offset} cut off (a write torn by a crash)`,
        );
      }
    }
    const recovery = { entries, problems };
    const journal = new Journal(path, durability);
    if (durability === 'disk') journal.handle = await open(path, 'a');
    else journal.fd = openSync(path, 'a');
    journal.lineCount = entries.length;
    journal.byteCount = existsSync(path) ? statSync(path).size : 0;
    return { ok: true, journal, recovery };
  }

  /** Appends one entry and resolves once it is as durable as the journal's durability says. */
  append(entry: JournalEntry): Promise<void> {
    return this.appendLine(`${JSON.stringify(entry)}\n`);
  }

  /** Appends a `command` entry whose command the caller has already encoded as JSON (see encodeCommand). */
  appendCommand(at: Micros, commandJson: string, created?: WorkloadIdentity): Promise<void> {
    return this.appendLine(`{"kind":"command","at":${at},"command":${commandJson}${createdField(created)}}\n`);
  }

  /**
   * From this call on, appends go to a new file at `path` that starts with `firstLine`; what was appended before
   * it goes to the old file, which is complete (and, for a disk journal, synced) when this resolves. If the new
   * file cannot be made, the journal stays where it was and this rejects: nothing appended is lost.
   */
  async rotate(path: string, firstLine: string): Promise<void> {
    const old = this.batch;
    this.batch = undefined;
    this.rotating = true;
    // Counted for the new file from now on: appends made while a disk journal rotates belong to it.
    const [oldLines, oldBytes, firstBytes] = [this.lineCount, this.byteCount, Buffer.byteLength(firstLine)];
    this.lineCount = 1;
    this.byteCount = firstBytes;
    try {
      if (this.durability === 'process') this.rotateNow(path, firstLine, old);
      else await this.rotateSynced(path, firstLine, old);
      this.path = path;
    } catch (e) {
      this.lineCount += oldLines - 1;
      this.byteCount += oldBytes - firstBytes;
      throw e;
    } finally {
      this.rotating = false;
      if (this.durability === 'disk') this.kick();
    }
  }

  private rotateNow(path: string, firstLine: string, old: Batch | undefined): void {
    if (this.fd === undefined) throw new Error('journal is closed');
    if (old !== undefined) {
      // Lines the snapshot includes: if they cannot be written, neither may the snapshot be.
      try {
        writeSync(this.fd, old.lines.join(''));
        old.done();
      } catch (e) {
        old.fail(e);
        throw e;
      }
    }
    // No sync: a process journal survives kill -9, not power loss (a disk journal syncs in rotateSynced).
    const fd = openSync(path, 'w');
    try {
      writeSync(fd, firstLine);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    closeSync(this.fd);
    this.fd = fd;
  }

  private async rotateSynced(path: string, firstLine: string, old: Batch | undefined): Promise<void> {
    while (this.flushing) await this.flushing;
    if (!this.handle) throw new Error('journal is closed');
    if (old !== undefined) {
      try {
        await this.handle.write(old.lines.join(''));
        await this.handle.datasync();
        old.done();
      } catch (e) {
        old.fail(e);
        throw e;
      }
    }
    const handle = await open(path, 'w');
    try {
      await handle.write(firstLine);
      await handle.datasync();
    } catch (e) {
      await handle.close();
      throw e;
    }
    await this.handle.close();
    this.handle = handle;
  }

  private appendLine(line: string): Promise<void> {
    this.lineCount++;
    this.byteCount += Buffer.byteLength(line);
    let batch = this.batch;
    if (batch === undefined) {
      batch = this.batch = newBatch();
      // One write system call for all the requests of this turn of the event loop.
      if (this.durability === 'process') setImmediate(() => this.writeBatch());
    }
    batch.lines.push(line);
    if (this.durability === 'disk') this.kick();
    return batch.written;
  }

  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.durability === 'process' && this.batch !== undefined) this.writeBatch();
    await this.handle?.close();
    this.handle = undefined;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private writeBatch(): void {
    const batch = this.batch;
    if (batch === undefined) return;
    this.batch = undefined;
    if (this.fd === undefined) batch.fail(new Error('journal is closed'));
    else this.writeTo(this.fd, batch);
  }

  private writeTo(fd: number, batch: Batch): void {
    try {
      writeSync(fd, batch.lines.join(''));
      batch.done();
    } catch (e) {
      batch.fail(e);
    }
  }

  /** Starts a flush unless one is running; a flush that ends re-checks, so no entry is ever left waiting. */
  private kick(): void {
    if (this.flushing !== undefined || this.batch === undefined || this.rotating) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      this.kick();
    });
  }

  /**
   * Writes at once what is waiting, and while that write and sync are in flight, lets the next requests gather
   * into the following batch: the disk's latency overlaps with the work of the requests behind it.
   */
  private async flush(): Promise<void> {
    // A rotation begun meanwhile owns what is appended after it: those lines wait for the next file.
    for (let batch = this.batch; batch !== undefined && !this.rotating; batch = this.batch) {
      this.batch = undefined;
      try {
        if (!this.handle) throw new Error('journal is closed');
        await this.handle.write(batch.lines.join(''));
        await this.handle.datasync();
        batch.done();
      } catch (e) {
        batch.fail(e);
      }
    }
  }
}

/** Lines appended together, and the one promise they all wait on. */
interface Batch {
  readonly lines: string[];
  readonly written: Promise<void>;
  readonly done: () => void;
  readonly fail: (e: unknown) => void;
}

function newBatch(): Batch {
  let done!: () => void;
  let fail!: (e: unknown) => void;
  const written = new Promise<void>((resolve, reject) => {
    done = resolve;
    fail = reject;
  });
  return { lines: [], written, done, fail };
}
