// A capacity search split across processes (a Kubernetes Indexed Job): each shard writes its part of phase 1 to a
// shared directory; the merge reads every part back, in shape order, for phase 2 — the single-run answer.
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  rateShard,
  type CapacityQuestion,
  type Rated,
  type Rejected,
  type StepRunner,
} from '../../sim/capacity/index.ts';
import { stableUuid } from '../../sim/config/stable-uuid.ts';

type Read<T> = { ok: true; value: T } | { ok: false; message: string };

interface ShardFile {
  readonly fingerprint: string;
  readonly index: number;
  readonly count: number;
  readonly shapes: number;
  readonly rated: readonly { readonly shape: number; readonly rating: Rated | Rejected }[];
}

/** Names one question: shards of different questions never merge. */
export const fingerprintOf = (q: CapacityQuestion): string => stableUuid(JSON.stringify(q));

/** Rates shard `index` of `count` and writes it to `dir`; answers the file and how many shapes it rated. */
export async function writeShard(
  q: CapacityQuestion,
  index: number,
  count: number,
  dir: string,
  runner?: StepRunner,
): Promise<{ file: string; rated: number; shapes: number }> {
  const part = await rateShard(q, index, count, runner);
  const file = join(dir, `shard-${index}-of-${count}.json`);
  await mkdir(dir, { recursive: true });
  // Written whole under a temporary name, then renamed: a merge waiting on the directory never reads half a file.
  const body: ShardFile = { fingerprint: fingerprintOf(q), index, count, ...part };
  await writeFile(`${file}.tmp`, `${JSON.stringify(body)}\n`);
  await rename(`${file}.tmp`, file);
  return { file, rated: part.rated.length, shapes: part.shapes };
}

/**
 * The shards' ratings in shape order, once every shard of this question wrote its part. With `waitMs`, polls until
 * they have (or a part is wrong); without, answers what is missing.
 */
export async function readShards(
  dir: string,
  q: CapacityQuestion,
  waitMs?: number,
): Promise<Read<(Rated | Rejected)[]>> {
  for (;;) {
    const read = await readOnce(dir, fingerprintOf(q));
    if (read.ok || waitMs === undefined || !read.retry) return read;
    await sleep(waitMs);
  }
}

async function readOnce(dir: string, fingerprint: string): Promise<Read<(Rated | Rejected)[]> & { retry?: boolean }> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => /^shard-\d+-of-\d+\.json$/.test(f)).sort();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, message: `merge: cannot read ${dir}: ${code ?? String(e)}`, retry: code === 'ENOENT' };
  }
  const parts: ShardFile[] = [];
  for (const f of files) {
    try {
      parts.push(JSON.parse(await readFile(join(dir, f), 'utf8')) as ShardFile);
    } catch {
      return { ok: false, message: `merge: ${join(dir, f)} is not a shard's JSON` };
    }
  }
  if (parts.length === 0) return { ok: false, message: `merge: no shard-I-of-N.json files in ${dir}`, retry: true };
  const other = parts.find((p) => p.fingerprint !== fingerprint);
  if (other)
    return { ok: false, message: `merge: shard ${other.index} answered another question (different flags or traffic)` };
  const count = parts[0]!.count;
  const missing = Array.from({ length: count }, (_, i) => i).filter(
    (i) => !parts.some((p) => p.index === i && p.count === count),
  );
  if (missing.length > 0)
    return { ok: false, message: `merge: shards ${missing.join(', ')} of ${count} are missing in ${dir}`, retry: true };
  const rated = new Array<Rated | Rejected>(parts[0]!.shapes);
  for (const p of parts) for (const r of p.rated) rated[r.shape] = r.rating;
  return { ok: true, value: rated };
}
