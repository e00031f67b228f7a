// Restart time after churn, compacted against not, on one machine at one time: two data directories churned the
// same way (one with the default compaction, one with --compact-after 0), then restarted in turn with a fresh start
// on an empty directory between, so that the machine's load drifts over all three alike. Medians printed.
//
//   node --import tsx soak/restart-compare.ts [--pairs 100000] [--restarts 5]
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { churn } from './churn.ts';
import { startServer } from './server-process.ts';

const { values } = parseArgs({
  options: { pairs: { type: 'string', default: '100000' }, restarts: { type: 'string', default: '5' } },
});
const pairs = Number(values.pairs);
const restarts = Number(values.restarts);
const NEVER = ['--compact-after', '0'];

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Seconds from spawn to the banner, and the banner's journal line. */
async function timedStart(dir: string, args: readonly string[]): Promise<{ seconds: number; journal: string }> {
  const started = performance.now();
  const server = await startServer(dir, args, 60);
  const seconds = (performance.now() - started) / 1000;
  const journal = /journal: .*/.exec(server.output())?.[0] ?? '';
  await server.stop();
  return { seconds, journal };
}

const compacted = mkdtempSync(join(tmpdir(), 'lwsim-compare-compacted-'));
const whole = mkdtempSync(join(tmpdir(), 'lwsim-compare-whole-'));
for (const [dir, args] of [
  [compacted, []],
  [whole, NEVER],
] as const) {
  const result = await churn(dir, pairs, 16, args);
  process.stdout.write(`${dir}: ${pairs} pairs in ${result.seconds.toFixed(1)} s, ${result.failures} failed\n`);
}
const times = { compacted: [] as number[], whole: [] as number[], fresh: [] as number[] };
for (let i = 0; i < restarts; i++) {
  const fresh = mkdtempSync(join(tmpdir(), 'lwsim-compare-fresh-'));
  mkdirSync(join(fresh, 'data'));
  const a = await timedStart(compacted, []);
  const b = await timedStart(whole, NEVER);
  const c = await timedStart(fresh, []);
  times.compacted.push(a.seconds);
  times.whole.push(b.seconds);
  times.fresh.push(c.seconds);
  process.stdout.write(
    `round ${i + 1}: compacted ${a.seconds.toFixed(2)} s [${a.journal}]; whole ${b.seconds.toFixed(2)} s [${b.journal}]; fresh ${c.seconds.toFixed(2)} s\n`,
  );
}
process.stdout.write(
  `medians of ${restarts}: compacted ${median(times.compacted).toFixed(2)} s, whole journal ${median(times.whole).toFixed(2)} s, fresh start ${median(times.fresh).toFixed(2)} s\n`,
);
