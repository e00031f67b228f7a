// Restart time after churn, with and without journal compaction: create/delete pairs over HTTP against a real
// `lwsim serve` (soak/churn.ts), then the restart timed (process start included), and the same data directory
// started in-process (LiveCluster.start alone: restore and replay, no process start), medians of several runs.
//
//   node --import tsx soak/restart.ts [--pairs 100000] [--runs 3] [--compact-after N]   (0: never compact)
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadClusterFile } from '../src/config/load-cluster.ts';
import { LiveCluster } from '../src/runtime/live-cluster.ts';
import { churn } from './churn.ts';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    'compact-after': { type: 'string' },
  },
});
const pairs = Number(values.pairs);
const runs = Number(values.runs);
const extra = values['compact-after'] === undefined ? [] : ['--compact-after', values['compact-after']];

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

/** LiveCluster.start on a copy of the data directory, `times` times: the replay (and restore) alone. */
async function inProcess(dir: string, times: number): Promise<number[]> {
  const loaded = await loadClusterFile(join(dir, 'cluster.yaml'));
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const seconds: number[] = [];
  for (let i = 0; i < times; i++) {
    const copy = mkdtempSync(join(tmpdir(), 'lwsim-restart-copy-'));
    cpSync(join(dir, 'data'), copy, { recursive: true });
    const started = performance.now();
    const { live } = await LiveCluster.start(loaded.spec, {
      timeScale: 0,
      dataDir: copy,
      seed: 1,
      scheduler: loaded.scheduler,
      delays: loaded.delays,
      limits: loaded.server.limits,
      compaction: { entries: 0 },
    });
    seconds.push((performance.now() - started) / 1000);
    await live.close();
    rmSync(copy, { recursive: true, force: true });
  }
  return seconds;
}

function files(dir: string): string {
  const data = join(dir, 'data');
  return readdirSync(data)
    .filter((f) => f.endsWith('.json') || f.endsWith('.jsonl'))
    .map((f) => {
      const path = join(data, f);
      const lines = f.endsWith('.jsonl') ? `, ${readFileSync(path, 'utf8').split('\n').length - 1} lines` : '';
      return `${f} ${mib(statSync(path).size)} MiB${lines}`;
    })
    .join('; ');
}

const restarts: number[] = [];
const fresh: number[] = [];
const replays: number[] = [];
for (let run = 0; run < runs; run++) {
  const dir = mkdtempSync(join(tmpdir(), 'lwsim-restart-'));
  const result = await churn(dir, pairs, 16, extra);
  const replay = await inProcess(dir, 3);
  restarts.push(result.restartSeconds);
  fresh.push(result.freshStartSeconds);
  replays.push(median(replay));
  process.stdout.write(
    `run ${run + 1}: ${pairs} pairs in ${result.seconds.toFixed(1)} s (${result.failures} failed); restart ${result.restartSeconds.toFixed(2)} s (fresh start ${result.freshStartSeconds.toFixed(2)} s); in-process start ${replay.map((s) => s.toFixed(2)).join(' / ')} s; RSS ${result.rssStartMiB.toFixed(0)} -> ${result.rssEndMiB.toFixed(0)} MiB; ${files(dir)}\n`,
  );
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(
  `medians over ${runs} runs (${extra.length > 0 ? extra.join(' ') : 'default compaction'}): restart ${median(restarts).toFixed(2)} s, fresh start ${median(fresh).toFixed(2)} s, in-process start ${median(replays).toFixed(2)} s\n`,
);
