import { toSeconds, type Micros } from '../engine/index.ts';
import { SimulatedCluster } from '../simulator/simulated-cluster.ts';
import { applyCommand, type WorkloadNames } from '../simulator/commands.ts';
import type { Recorder, ReplayEnd } from './recorder.ts';
import { ClusterUsage } from './recorders/cluster-usage.ts';
import { EventCounts } from './recorders/event-counts.ts';
import { ProjectOutcomes } from './recorders/project-outcomes.ts';
import { ServingRecorder } from './recorders/serving.ts';
import type { TraceLines } from '../serving/traffic.ts';
import { WorkloadOutcomes } from './recorders/workload-outcomes.ts';
import type { ReplayReport } from './report.ts';
import type { Scenario } from './scenario.ts';

export type DeterministicReport = Omit<ReplayReport, 'run'>;

/** Called now and then with how far the replay has come, for a progress bar. */
export type ProgressListener = (done: Micros, until: Micros) => void;

export interface ReplayOptions<S extends object = object> {
  readonly onProgress?: ProgressListener;
  /** Called once with the replay's cluster before the first step, to watch it through its observers. */
  readonly observe?: (cluster: SimulatedCluster) => void;
  /** Recorders beyond the standard ones, each adding its own sections to the report. */
  readonly recorders?: readonly Recorder<Partial<S>>[];
  /** Asked at each sample: true ends the replay there, and the report covers the time up to that moment. */
  readonly stopWhen?: (cluster: SimulatedCluster) => boolean;
  /** Reads the trace files that workloads' `traffic` names (file reading lives outside sim/). */
  readonly traceLines?: TraceLines;
}

/**
 * Replays a scenario in virtual time, as fast as it runs: the timeline's steps at their times, the recorders
 * sampling on a fixed grid, and the report assembled from their sections at the end. Pure: the same scenario gives
 * the same report.
 */
export function replay<S extends object = object>(
  scenario: Scenario,
  { onProgress, observe, recorders: extra = [], stopWhen, traceLines }: ReplayOptions<S> = {},
): { report: DeterministicReport & Partial<S>; events: number } {
  const cluster = SimulatedCluster.create(scenario.cluster, {
    seed: scenario.seed,
    delays: scenario.delays,
    scheduler: scenario.scheduler,
  });
  observe?.(cluster);
  // In the order their sections appear in the report.
  const serving = scenario.steps.some((s) => s.traffic !== undefined)
    ? [new ServingRecorder(scenario, traceLines)]
    : [];
  const recorders: readonly Recorder[] = [
    new WorkloadOutcomes(),
    new ClusterUsage(),
    ...serving,
    new ProjectOutcomes(),
    new EventCounts(),
    ...extra,
  ];
  for (const r of recorders) r.attach?.(cluster);
  const names: WorkloadNames = new Map();
  let step = 0;
  let stopped = false;
  for (let sampleAt = 0; ; sampleAt = Math.min(scenario.until, sampleAt + scenario.sampleEvery)) {
    for (; step < scenario.steps.length && scenario.steps[step]!.at <= sampleAt; step++) {
      const current = scenario.steps[step]!;
      cluster.advanceTo(current.at);
      const result = applyCommand(cluster, current.command, names);
      for (const r of recorders) r.command?.(current.command, result, current);
    }
    cluster.advanceTo(sampleAt);
    for (const r of recorders) r.sample?.(cluster);
    onProgress?.(sampleAt, scenario.until);
    stopped = sampleAt < scenario.until && stopWhen?.(cluster) === true;
    if (stopped || sampleAt >= scenario.until) break;
  }
  const end: ReplayEnd = { scenario, cluster, at: cluster.now };
  const sections = recorders.map((r) => r.section(end));
  const report = Object.assign({ scenario: header(end, stopped) }, ...sections) as DeterministicReport & Partial<S>;
  return { report, events: cluster.sim.processedEvents };
}

function header({ scenario, cluster, at }: ReplayEnd, stopped: boolean): DeterministicReport['scenario'] {
  const layout = cluster.scheduler.cluster.layout;
  return {
    name: scenario.name,
    file: scenario.file,
    seed: scenario.seed,
    until: toSeconds(scenario.until),
    ...(stopped ? { stoppedAt: toSeconds(at) } : {}),
    cluster: {
      name: scenario.cluster.name,
      nodes: layout.nodes.length,
      gpus: layout.totalGpus,
      pools: layout.pools.map((p) => ({ name: p.name, gpus: p.gpuCount })),
    },
  };
}
