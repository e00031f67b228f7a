import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Micros } from '../../sim/engine/index.ts';
import { decodeCommand, type LiveCommand } from './commands.ts';

/** One line of the journal. */
export type JournalEntry =
  | { readonly kind: 'command'; readonly at: Micros; readonly command: LiveCommand }
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
    };

export interface JournalRecovery {
  readonly entries: JournalEntry[];
  /** Lines that could not be read, reported and skipped. */
  readonly problems: string[];
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

  private constructor(
    readonly path: string,
    readonly durability: Durability,
  ) {}

  /** Reads what is there (skipping unreadable lines, and cutting off a torn last line), then opens for append. */
  static async open(
    dataDir: string,
    durability: Durability = 'process',
  ): Promise<{ journal: Journal; recovery: JournalRecovery }> {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, 'journal.jsonl');
    const recovery = existsSync(path) ? Journal.read(path) : { entries: [], problems: [] };
    const journal = new Journal(path, durability);
    if (durability === 'disk') journal.handle = await open(path, 'a');
    else journal.fd = openSync(path, 'a');
    return { journal, recovery };
  }

  /** Appends one entry and resolves once it is as durable as the journal's durability says. */
  append(entry: JournalEntry): Promise<void> {
    return this.appendLine(`${JSON.stringify(entry)}\n`);
  }

  /** Appends a `command` entry whose command the caller has already encoded as JSON (see encodeCommand). */
  appendCommand(at: Micros, commandJson: string): Promise<void> {
    return this.appendLine(`{"kind":"command","at":${at},"command":${commandJson}}\n`);
  }

  private appendLine(line: string): Promise<void> {
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
    try {
      if (this.fd === undefined) throw new Error('journal is closed');
      writeSync(this.fd, batch.lines.join(''));
      batch.done();
    } catch (e) {
      batch.fail(e);
    }
  }

  /** Starts a flush unless one is running; a flush that ends re-checks, so no entry is ever left waiting. */
  private kick(): void {
    if (this.flushing !== undefined || this.batch === undefined) return;
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
    for (let batch = this.batch; batch !== undefined; batch = this.batch) {
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

  private static read(path: string): JournalRecovery {
    const text = readFileSync(path, 'utf8');
    const entries: JournalEntry[] = [];
    const problems: string[] = [];
    const lines = text.split('\n');
    let offset = 0;
    let goodEnd = 0;
    lines.forEach((line, i) => {
      const last = i === lines.length - 1;
      const end = offset + Buffer.byteLength(line) + (last ? 0 : 1);
      if (line.trim() !== '') {
        const entry = parseEntry(line);
        if (entry) {
          entries.push(entry);
          goodEnd = end;
        } else {
          problems.push(
            `${path}:${i + 1}: unreadable journal line skipped${last || lines.slice(i + 1).every((l) => l.trim() === '') ? ' (a write torn by a crash)' : ''}`,
          );
        }
      }
      if (line.trim() === '' && !last) goodEnd = Math.max(goodEnd, end);
      offset = end;
    });
    // A torn tail would glue itself to the next append: cut the file back to the last good line.
    if (goodEnd < Buffer.byteLength(text)) {
      const fd = openSync(path, 'r+');
      ftruncateSync(fd, goodEnd);
      closeSync(fd);
    }
    return { entries, problems };
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

function parseEntry(line: string): JournalEntry | undefined {
  try {
    const value = JSON.parse(line) as Partial<JournalEntry> & Record<string, unknown>;
    if (typeof value.at !== 'number') return undefined;
    if (value.kind === 'command' && typeof value.command === 'object' && value.command !== null)
      return { kind: 'command', at: value.at, command: decodeCommand(value.command as Record<string, unknown>) };
    if (value.kind === 'advance') return value as JournalEntry;
    if (
      value.kind === 'anchor' &&
      typeof value.wallMs === 'number' &&
      typeof value.timeScale === 'number' &&
      typeof value.seed === 'number'
    )
      return value as JournalEntry;
    return undefined;
  } catch {
    return undefined;
  }
}
