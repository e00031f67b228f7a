// What a start does about a compaction that a crash interrupted (see compaction.ts for the steps). The old journal
// is replaced only once the snapshot is durable, so either the snapshot is whole and the compaction is finished
// now, or it is not and the next journal's lines are appended to the old journal, which is whole: nothing is lost
// either way.
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { readJournal } from './journal-file.ts';
import type { BaseEntry, JournalEntry } from './journal.ts';
import { readSnapshot, removeSnapshotsBut, syncDirectory } from './snapshot-file.ts';

export const JOURNAL_FILE = 'journal.jsonl';
/** The journal a compaction starts, until its snapshot is durable. */
export const NEXT_JOURNAL_FILE = 'journal.next.jsonl';
/** The journal before the latest snapshot: what rebuilds a damaged snapshot (with the snapshot before it). */
export const PREVIOUS_JOURNAL_FILE = 'journal.prev.jsonl';

export type RecoveryResult =
  { readonly ok: true; readonly problems: string[] } | { readonly ok: false; readonly message: string };

/** Finishes or undoes an interrupted compaction in `dir`, and removes snapshots no journal names. */
export function recoverCompaction(dir: string): RecoveryResult {
  const problems: string[] = [];
  const next = join(dir, NEXT_JOURNAL_FILE);
  if (existsSync(next)) {
    const done = finishOrUndo(dir, next);
    if (!done.ok) return done;
    problems.push(...done.problems);
  }
  const lost = unreadableBase(dir);
  if (lost !== undefined) return { ok: false, message: lost };
  const keep = new Set<string>();
  for (const file of [JOURNAL_FILE, PREVIOUS_JOURNAL_FILE]) {
    const first = firstEntry(join(dir, file));
    if (first?.kind === 'base') keep.add(first.snapshot);
  }
  const removed = removeSnapshotsBut(dir, keep);
  if (removed.length > 0) problems.push(`removed snapshot files no journal names: ${removed.join(', ')}`);
  return { ok: true, problems };
}

function finishOrUndo(dir: string, next: string): RecoveryResult {
  const journal = join(dir, JOURNAL_FILE);
  const reading = readJournal(next);
  const base = reading.entries[0];
  if (reading.damaged.length > 0 || (base !== undefined && base.kind !== 'base'))
    return {
      ok: false,
      message: `${next}: an interrupted compaction left a journal that cannot be read; move it away to start from ${journal} alone (what it holds would be lost)`,
    };
  if (base === undefined) {
    // The crash came before its first line was whole: nothing was written after it.
    unlinkSync(next);
    return { ok: true, problems: [`removed ${next}: a compaction was interrupted before it began`] };
  }
  if (readSnapshot(dir, base).ok) {
    if (existsSync(journal)) renameSync(journal, join(dir, PREVIOUS_JOURNAL_FILE));
    renameSync(next, journal);
    syncDirectory(dir);
    return { ok: true, problems: [`finished a compaction a crash interrupted (${base.snapshot} is whole)`] };
  }
  if (!existsSync(journal))
    return { ok: false, message: `${next}: its snapshot ${base.snapshot} is not whole and ${journal} is gone` };
  appendLines(journal, reading.readable.slice(1));
  unlinkSync(next);
  syncDirectory(dir);
  return {
    ok: true,
    problems: [
      `undid a compaction a crash interrupted (${base.snapshot} was not whole): its ${reading.readable.length - 1} later line(s) appended to ${journal}`,
    ],
  };
}

/** The journal with `lines` after its own, written whole under another name, then renamed over it. */
function appendLines(journal: string, lines: readonly Buffer[]): void {
  const old = readFileSync(journal);
  // Only whole lines: a torn tail of the old journal would glue itself to the first line appended.
  const whole = old.subarray(0, old.lastIndexOf(0x0a) + 1);
  const merging = `${journal}.merging`;
  const fd = openSync(merging, 'w');
  try {
    writeFileSync(fd, Buffer.concat([whole, ...lines]));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(merging, journal);
}

/**
 * A journal whose first line cannot be read while snapshots are there: that line may be the base the rest follows,
 * so neither may a repair drop it nor may the snapshots be cleaned up.
 */
function unreadableBase(dir: string): string | undefined {
  const journal = join(dir, JOURNAL_FILE);
  if (!existsSync(journal) || statSync(journal).size === 0 || firstEntry(journal) !== undefined) return undefined;
  const snapshots = readdirSync(dir).filter((f) => /^snapshot-\d+\.json$/.test(f));
  if (snapshots.length === 0) return undefined;
  return `${journal}: its first line cannot be read, and it may be the line that names the snapshot the rest follows (${snapshots.join(', ')} are here); --repair cannot drop it. Restore the journal from a backup, or start over with another --data-dir.`;
}

/** The first line of a journal, if it has a whole readable one (read without reading the whole file). */
export function firstEntry(path: string): JournalEntry | undefined {
  if (!existsSync(path)) return undefined;
  const fd = openSync(path, 'r');
  try {
    // Request bodies are at most 1 MB: a first line fits (a base line is a few hundred bytes).
    const buffer = Buffer.alloc(2 * 1024 * 1024);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    const end = buffer.subarray(0, read).indexOf(0x0a);
    if (end < 0) return undefined;
    const text = buffer.subarray(0, end).toString('utf8');
    const value = JSON.parse(text) as JournalEntry;
    return typeof value === 'object' && value !== null && typeof value.kind === 'string' ? value : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

export function isBase(entry: JournalEntry | undefined): entry is BaseEntry {
  return entry?.kind === 'base';
}
