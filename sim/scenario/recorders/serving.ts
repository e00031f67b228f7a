import { toSeconds } from '../../engine/index.ts';
import type { Command, CommandResult } from '../../simulator/commands.ts';
import { servedDeployment, ServingWatch, type WorkloadServing } from '../../simulator/serving-watch.ts';
import type { SimulatedCluster } from '../../simulator/simulated-cluster.ts';
import type { TraceLines } from '../../serving/traffic.ts';
import type { Recorder, ReplayEnd } from '../recorder.ts';
import type { ServingReport } from '../report.ts';
import type { Scenario, ScenarioStep } from '../scenario.ts';
import { streamRandom } from '../seeds.ts';

/**
 * The serving section: each workload that carries `traffic` is served, request by request, by the replicas the
 * cluster gives it, so preemptions, scale-downs and node faults show in its latencies.
 */
export class ServingRecorder implements Recorder<{ serving: readonly ServingReport[] }> {
  private watch: ServingWatch | undefined;

  constructor(
    private readonly scenario: Scenario,
    private readonly traceLines: TraceLines | undefined,
  ) {}

  attach(cluster: SimulatedCluster): void {
    this.watch = new ServingWatch(cluster, {
      random: (name) => streamRandom(this.scenario.seed, `traffic/${name}`),
      sampleSeconds: toSeconds(this.scenario.sampleEvery),
      until: this.scenario.until,
      ...(this.traceLines ? { traceLines: this.traceLines } : {}),
    });
  }

  command(command: Command, result: CommandResult, step: ScenarioStep): void {
    if (command.type !== 'create' || step.traffic === undefined || !result.ok || typeof result.value === 'string')
      return;
    this.watch!.watch(result.value, step.traffic);
  }

  section(_end: ReplayEnd): { serving: readonly ServingReport[] } {
    const watch = this.watch!;
    return { serving: watch.workloads().map((w) => servingReport(watch.serving(w)!)) };
  }
}

function servingReport(s: WorkloadServing): ServingReport {
  // The scenario was checked when loaded: every served workload can serve.
  if (!s.ok) throw new RangeError(`${s.workload.name}: ${s.message}`);
  const { lwsim, ...vllm } = s.result;
  return {
    workload: s.workload.name,
    project: s.workload.project,
    startedAt: toSeconds(s.from),
    deployment: servedDeployment(s.deployment),
    router: s.traffic.router,
    onReplicaLoss: s.traffic.onReplicaLoss,
    replicaChanges: s.replicaChanges,
    ...(s.traceProblem ? { traceProblem: s.traceProblem } : {}),
    result: vllm as Record<string, number>,
    lwsim,
  };
}
