/**
 * Is this checkout's POST cheaper than another's? `node --import tsx bench/compare-post.ts <other-checkout> [pairs]`
 *
 * On a shared machine a ratio to hello world moves with the machine's mood; pairs measured back to back move
 * together. Each pair starts a fresh `lwsim serve` from each checkout in turn (alternating which goes first), warms
 * it up with 1 s of POST and measures 3 s of POST (the api suite's load), then reports per pair and as medians:
 * requests/s and the server's CPU time per request. The other checkout needs its own `npm ci`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median } from './stats.ts';
import { CLUSTER, measuredLoad, prepare, ROOT, start, WARM_UP_SECONDS } from './workloads/api-load.ts';

async function measure(
  checkout: string,
  dataDir: string,
  cluster: string,
): Promise<{ requestsPerSecond: number; micros: number | undefined }> {
  const server = await start(
    ['bin/lwsim.js', 'serve', '--port', '0', '--time-scale', '60', '--cluster', cluster, '--data-dir', dataDir],
    /serving the Run:ai API at (http:\/\/\S+)/,
    checkout,
  );
  try {
    const { post, body } = await prepare(server.url);
    await measuredLoad(server.child.pid!, post, { method: 'POST', body, seconds: WARM_UP_SECONDS });
    const load = await measuredLoad(server.child.pid!, post, { method: 'POST', body });
    return { requestsPerSecond: load.requestsPerSecond, micros: load.serverMicrosPerRequest };
  } finally {
    server.child.kill('SIGKILL');
  }
}

const [other, pairsArg] = process.argv.slice(2);
if (other === undefined) {
  process.stderr.write('usage: node --import tsx bench/compare-post.ts <other-checkout> [pairs=5]\n');
  process.exit(2);
}
const pairs = Number(pairsArg ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'lwsim-compare-'));
writeFileSync(join(dir, 'cluster.yaml'), CLUSTER);
const results = {
  this: [] as number[],
  other: [] as number[],
  thisMicros: [] as number[],
  otherMicros: [] as number[],
};
const format = (m: { requestsPerSecond: number; micros: number | undefined }): string =>
  `${Math.round(m.requestsPerSecond)} req/s, ${m.micros?.toFixed(1) ?? '?'} us/req`;
try {
  for (let pair = 0; pair < pairs; pair++) {
    const order = pair % 2 === 0 ? (['this', 'other'] as const) : (['other', 'this'] as const);
    const got: Partial<Record<'this' | 'other', Awaited<ReturnType<typeof measure>>>> = {};
    for (const which of order)
      got[which] = await measure(
        which === 'this' ? ROOT : resolve(other),
        join(dir, `data-${pair}-${which}`),
        join(dir, 'cluster.yaml'),
      );
    const mine = got.this!;
    const theirs = got.other!;
    results.this.push(mine.requestsPerSecond);
    results.other.push(theirs.requestsPerSecond);
    if (mine.micros !== undefined && theirs.micros !== undefined) {
      results.thisMicros.push(mine.micros);
      results.otherMicros.push(theirs.micros);
    }
    process.stdout.write(
      `pair ${pair + 1}: this ${format(mine)}; other ${format(theirs)}; this/other ${(mine.requestsPerSecond / theirs.requestsPerSecond).toFixed(2)}\n`,
    );
  }
  const ratios = results.this.map((r, i) => r / results.other[i]!);
  process.stdout.write(
    `median: this ${Math.round(median(results.this))} req/s, other ${Math.round(median(results.other))} req/s; this/other per pair ${median(ratios).toFixed(2)}\n`,
  );
  if (results.thisMicros.length > 0)
    process.stdout.write(
      `median server CPU per POST: this ${median(results.thisMicros).toFixed(1)} us, other ${median(results.otherMicros).toFixed(1)} us\n`,
    );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
