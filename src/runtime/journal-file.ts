// Reading a journal file back, line by line on bytes: what is readable, what is damaged and where, and the
// torn tail a crash may leave. A damaged line is never skipped quietly: every later line would be applied to a
// model that lacks the lost one, so the server refuses to start until told to repair.
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { decodeCommand } from './commands.ts';
import type { JournalEntry, WorkloadIdentity } from './journal.ts';

/** A complete line (it ends with its newline) that cannot be read. */
export interface DamagedLine {
  /** 1-based line number. */
  readonly line: number;
  /** Byte offset of the line's first byte in the file. */
  readonly offset: number;
  readonly bytes: number;
  /** What the line seems to have held, as far as it can be told. */
  readonly lost: string;
}

export interface JournalReading {
  readonly entries: JournalEntry[];
  /** The readable lines' bytes, newline included, in order: what a repair keeps. */
  readonly readable: Buffer[];
  readonly damaged: DamagedLine[];
  /** Bytes after the last newline (a write torn by a crash), if any. */
  readonly tornTail: { readonly offset: number; readonly bytes: number } | undefined;
}

const NEWLINE = 0x0a;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/** Reads every line of the journal at `path`; offsets and the tail are computed on bytes, not decoded text. */
export function readJournal(path: string): JournalReading {
  const bytes = readFileSync(path);
  const entries: JournalEntry[] = [];
  const readable: Buffer[] = [];
  const damaged: DamagedLine[] = [];
  // Every append is whole lines, each ending with its newline, in one write: a crash can tear only what follows
  // the last newline. A complete line that cannot be read is damage, wherever it is.
  const complete = bytes.lastIndexOf(NEWLINE) + 1;
  for (let start = 0, line = 1; start < complete; line++) {
    const end = bytes.indexOf(NEWLINE, start) + 1;
    const raw = bytes.subarray(start, end - 1);
    const entry = decodeLine(raw);
    if (entry !== undefined) {
      entries.push(entry);
      readable.push(bytes.subarray(start, end));
    } else if (!isBlank(raw)) {
      damaged.push({ line, offset: start, bytes: raw.length, lost: describeLost(raw) });
    }
    start = end;
  }
  return {
    entries,
    readable,
    damaged,
    tornTail: complete < bytes.length ? { offset: complete, bytes: bytes.length - complete } : undefined,
  };
}

/** Cuts the file back to `length` bytes: a torn tail would otherwise glue itself to the next append. */
export function truncateJournal(path: string, length: number): void {
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces the journal by its readable lines, keeping the damaged file beside it as `<path>.damaged-<n>`.
 * The new file is written and synced whole before it takes the journal's name.
 */
export function repairJournal(path: string, readable: readonly Buffer[]): string {
  const fresh = `${path}.repairing`;
  const fd = openSync(fresh, 'w');
  try {
    writeFileSync(fd, Buffer.concat(readable));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  let kept = `${path}.damaged-1`;
  for (let n = 2; existsSync(kept); n++) kept = `${path}.damaged-${n}`;
  // Copied, then replaced in one rename: a crash at any point leaves a journal under the journal's name.
  copyFileSync(path, kept);
  renameSync(fresh, path);
  return kept;
}

function isBlank(raw: Buffer): boolean {
  return raw.every((b) => b === 0x20 || b === 0x09 || b === 0x0d);
}

function decodeLine(raw: Buffer): JournalEntry | undefined {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return undefined;
  }
  return (
    parseEntry(text) ??
    (text.includes('"request":\uFEFF') ? parseEntry(text.replace('"request":\uFEFF', '"request":')) : undefined)
  );
}

/** What an unreadable line held: its command and workload name where they can still be read. */
function describeLost(raw: Buffer): string {
  const text = lenient.decode(raw.subarray(0, 4096));
  const type = /"type":"([a-z-]+)"/.exec(text)?.[1];
  const name = /"name":"([^"\\]{1,63})"/.exec(text)?.[1];
  const id = /"id":"([0-9a-f-]{36})"/.exec(text)?.[1];
  const kind = /"kind":"([a-z]+)"/.exec(text)?.[1];
  if (type !== undefined)
    return `a ${type} command${name ? ` (workload ${name})` : id ? ` (workload ${id})` : ''}, ${raw.length} bytes`;
  if (kind !== undefined) return `an ${kind} entry, ${raw.length} bytes`;
  return `${raw.length} bytes that are no journal entry`;
}

function parseEntry(line: string): JournalEntry | undefined {
  try {
    const value = JSON.parse(line) as Partial<JournalEntry> & Record<string, unknown>;
    if (typeof value.at !== 'number') return undefined;
    if (value.kind === 'command' && typeof value.command === 'object' && value.command !== null) {
      const command = decodeCommand(value.command as Record<string, unknown>);
      const created = value.created as { id?: unknown; name?: unknown } | undefined;
      if (created !== undefined && (typeof created.id !== 'string' || typeof created.name !== 'string'))
        return undefined;
      const identity = created === undefined ? undefined : { id: created.id as string, name: created.name as string };
      const requestText =
        command.type === 'create' ? requestTextOf(line, value.at, command.createdBy, identity) : undefined;
      return {
        kind: 'command',
        at: value.at,
        command,
        ...(identity === undefined ? {} : { created: identity }),
        ...(requestText === undefined ? {} : { requestText }),
      };
    }
    if (value.kind === 'advance') return value as JournalEntry;
    if (
      value.kind === 'base' &&
      typeof value.snapshot === 'string' &&
      typeof value.sha256 === 'string' &&
      typeof value.generation === 'number' &&
      typeof value.previousBytes === 'number'
    )
      return value as JournalEntry;
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

/** A command line's `created` field as Journal.appendCommand writes it (with its leading comma), or nothing. */
export function createdField(created: WorkloadIdentity | undefined): string {
  return created === undefined ? '' : `,"created":${JSON.stringify({ id: created.id, name: created.name })}`;
}

/**
 * A creation's request as the line holds it, when the line is exactly what Journal.appendCommand writes: a replay
 * keeps that text instead of encoding the parsed request again (half the work of reading a creation).
 */
function requestTextOf(
  line: string,
  at: number,
  createdBy: string,
  created: WorkloadIdentity | undefined,
): string | undefined {
  const prefix = `{"kind":"command","at":${at},"command":{"type":"create","request":`;
  const suffix = `,"createdBy":${JSON.stringify(createdBy)}}${createdField(created)}}`;
  return line.startsWith(prefix) && line.endsWith(suffix)
    ? line.slice(prefix.length, line.length - suffix.length)
    : undefined;
}
