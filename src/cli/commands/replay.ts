import { SingleBar } from 'cli-progress';
import { fileLines } from '../../serving/trace-file.ts';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { formatDuration, toSeconds } from '../../../sim/engine/index.ts';
import type { ReplayReport } from '../../../sim/scenario/report.ts';
import { replay } from '../../../sim/scenario/replay.ts';
import { writeReports } from '../../report/write-report.ts';
import { loadScenarioFile } from '../../scenario/load-scenario.ts';

export const REPLAY_USAGE = 'lwsim replay FILE [--seed N] [--json OUT] [--report DIR] [--quiet]';

/** `lwsim replay`: a scenario in virtual time as fast as it runs; exit 0, or 2 for an invalid file. */
export async function replayCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      seed: { type: 'string' },
      json: { type: 'string' },
      report: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) return usage('name one scenario file');
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) return usage(`--seed must be an integer, got ${values.seed}`);
  const loaded = await loadScenarioFile(positionals[0]!, seed === undefined ? {} : { seed });
  if (!loaded.ok) {
    for (const e of loaded.errors) process.stderr.write(`${e}\n`);
    return 2;
  }
  const { scenario } = loaded;
  const bar =
    !values.quiet && process.stderr.isTTY
      ? new SingleBar({
          format: `${scenario.name} [{bar}] {percentage}% | {value}/{total} simulated hours | {eta_formatted} left`,
          stream: process.stderr,
          hideCursor: true,
        })
      : undefined;
  bar?.start(Math.ceil(toSeconds(scenario.until) / 3600), 0);
  const started = performance.now();
  const { report: deterministic, events } = replay(scenario, {
    onProgress: (done) => bar?.update(Math.floor(toSeconds(done) / 3600)),
    traceLines: fileLines,
  });
  const wallSeconds = (performance.now() - started) / 1000;
  bar?.stop();
  const report: ReplayReport = {
    ...deterministic,
    run: {
      wallSeconds: round(wallSeconds),
      eventsPerSecond: Math.round(events / wallSeconds),
      workloadsPerSecond: Math.round(deterministic.workloads.length / wallSeconds),
    },
  };
  if (values.json !== undefined) await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
  if (values.report !== undefined) await writeReports(report, values.report);
  if (!values.quiet) process.stdout.write(summary(report));
  return 0;
}

function summary(r: ReplayReport): string {
  const s = r.summary;
  const p = (x: { p50: number; p90: number; p99: number; max: number }) =>
    `p50 ${formatDuration(x.p50 * 1e6) || '0s'}, p90 ${formatDuration(x.p90 * 1e6) || '0s'}, p99 ${formatDuration(x.p99 * 1e6) || '0s'}, max ${formatDuration(x.max * 1e6) || '0s'}`;
  const rows: [string, string][] = [
    ['scenario', `${r.scenario.name} (seed ${r.scenario.seed}, ${formatDuration(r.scenario.until * 1e6)} simulated)`],
    ['cluster', `${r.scenario.cluster.name}: ${r.scenario.cluster.nodes} nodes, ${r.scenario.cluster.gpus} GPUs`],
    ['workloads', `${s.workloads} (${s.ran} ran, ${s.neverRan} never ran)`],
    ['pending time', p(s.pendingSeconds)],
    ['time to Running', p(s.timeToRunningSeconds)],
    ['preemptions / restarts', `${s.preemptions} / ${s.restarts}`],
    [
      'GPUs allocated',
      `mean ${r.gpu.overall.meanAllocated}, peak ${r.gpu.overall.peakAllocated} of ${r.gpu.overall.capacity}`,
    ],
    ['GPUs fragmented', `mean ${r.gpu.overall.meanFragmented}, peak ${r.gpu.overall.peakFragmented}`],
    [
      'replayed in',
      `${r.run.wallSeconds} s (${r.run.eventsPerSecond.toLocaleString('en')} events/s, ${r.run.workloadsPerSecond.toLocaleString('en')} workloads/s)`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function usage(message: string): number {
  process.stderr.write(`lwsim replay: ${message}\nusage: ${REPLAY_USAGE}\n`);
  return 2;
}
