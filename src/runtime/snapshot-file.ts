// Snapshot files in the data directory: written atomically (a temp file, synced, renamed, the directory synced),
// read back only if their SHA-256 is the one the journal's base line names.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { BaseEntry } from './journal.ts';

const TEMP_SUFFIX = '.tmp';

export function snapshotName(generation: number): string {
  return `snapshot-${generation}.json`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Writes `text` as `dir/name`: under that name it is whole and on disk, or not there at all. */
export async function writeSnapshot(dir: string, name: string, text: string): Promise<void> {
  const temp = join(dir, name + TEMP_SUFFIX);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, join(dir, name));
  await syncDirectoryAsync(dir);
}

/** syncDirectory off the event loop (a compaction runs beside the requests). */
export async function syncDirectoryAsync(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes renames and deletions in `dir` durable (the directory's own entry table). */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The text of the snapshot a base line names, if it is there and is the one named. */
export function readSnapshot(
  dir: string,
  base: BaseEntry,
): { readonly ok: true; readonly text: string } | { readonly ok: false; readonly message: string } {
  const path = join(dir, base.snapshot);
  if (base.snapshot.includes('/') || !existsSync(path)) return { ok: false, message: `${path} is missing` };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { ok: false, message: `${path} cannot be read (${e instanceof Error ? e.message : String(e)})` };
  }
  const found = sha256(text);
  if (found !== base.sha256)
    return { ok: false, message: `${path} is damaged: its SHA-256 is ${found}, the journal names ${base.sha256}` };
  return { ok: true, text };
}

/** Removes half-written snapshots (a crash during a write) and snapshots no journal names any more. */
export function removeSnapshotsBut(dir: string, keep: ReadonlySet<string>): string[] {
  const removed: string[] = [];
  for (const file of readdirSync(dir)) {
    if (!/^snapshot-\d+\.json(\.tmp)?$/.test(file) || keep.has(file)) continue;
    unlinkSync(join(dir, file));
    removed.push(file);
  }
  return removed;
}
