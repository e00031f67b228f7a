import { toSeconds, type Micros } from '../../engine/index.ts';
import { checkDeployment, DEFAULT_LATENCY_MODEL, LATENCY_MODELS, type Deployment } from '../../perf/index.ts';
import { simulateServing, type ReplicaChange, type ServingResult } from '../../serving/simulate.ts';
import { TraceRequests } from '../../serving/traces.ts';
import { trafficRequests, type TraceLines, type WorkloadTraffic } from '../../serving/traffic.ts';
import type { WorkloadState } from '../../workloads/state.ts';
import type { Command, CommandResult } from '../../simulator/commands.ts';
import type { SimulatedCluster } from '../../simulator/simulated-cluster.ts';
import type { Recorder, ReplayEnd } from '../recorder.ts';
import type { ServingReport } from '../report.ts';
import type { ScenarioStep } from '../scenario.ts';
import { streamRandom } from '../seeds.ts';

/** One workload with traffic: when it was created, and its groups' readiness as the cluster changed it. */
interface Watched {
  readonly workload: WorkloadState;
  readonly traffic: WorkloadTraffic;
  readonly from: Micros;
  /** Per group index: serving now? */
  readonly up: boolean[];
  readonly changes: ReplicaChange[];
}

/**
 * The serving section: each workload that carries `traffic` is served, request by request, by the replicas the
 * cluster gave it — a group serves while it is Ready — so preemptions, scale-downs and node faults show in its
 * latencies. The cluster runs first; the serving simulation then replays that availability (serving does not feed
 * back into scheduling, so the two compose exactly).
 */
export class ServingRecorder implements Recorder<{ serving: readonly ServingReport[] }> {
  private readonly watched: Watched[] = [];
  private cluster: SimulatedCluster | undefined;

  constructor(private readonly traceLines: TraceLines | undefined) {}

  attach(cluster: SimulatedCluster): void {
    this.cluster = cluster;
    cluster.observers.on('workload-touched', (w) => {
      for (const watched of this.watched) if (watched.workload === w) this.look(watched);
    });
  }

  command(command: Command, result: CommandResult, step: ScenarioStep): void {
    if (command.type !== 'create' || step.traffic === undefined || !result.ok || typeof result.value === 'string')
      return;
    this.watched.push({ workload: result.value, traffic: step.traffic, from: this.cluster!.now, up: [], changes: [] });
  }

  private look(w: Watched): void {
    const now = toSeconds(this.cluster!.now - w.from);
    const ready = new Map(w.workload.groups.map((g) => [g.index, g.status === 'ready']));
    const indexes = Math.max(w.up.length, ...w.workload.groups.map((g) => g.index + 1));
    for (let i = 0; i < indexes; i++) {
      const up = ready.get(i) === true;
      if (up === (w.up[i] === true)) continue;
      w.up[i] = up;
      w.changes.push({ at: now, replica: i, up });
    }
  }

  section({ scenario, at }: ReplayEnd): { serving: readonly ServingReport[] } {
    return {
      serving: this.watched.map((w) => {
        const horizon = toSeconds(at - w.from);
        const checked = checkDeployment(w.traffic.deployment);
        if (!checked.ok) throw new RangeError(`${w.workload.name}: ${checked.message}`); // checked when loaded
        const requests = trafficRequests(
          w.traffic,
          streamRandom(scenario.seed, `traffic/${w.workload.name}`),
          horizon,
          this.traceLines,
        );
        const result = simulateServing({
          pricer: LATENCY_MODELS[DEFAULT_LATENCY_MODEL].create(checked.deployment),
          replicas: Math.max(1, w.up.length),
          router: w.traffic.router,
          requests,
          availability: w.changes,
          onReplicaLoss: w.traffic.onReplicaLoss,
          horizon,
          sampleSeconds: toSeconds(scenario.sampleEvery),
          percentiles: w.traffic.percentiles,
          ...(w.traffic.slo ? { slo: w.traffic.slo } : {}),
          ...(w.traffic.maxConcurrency !== undefined ? { maxConcurrency: w.traffic.maxConcurrency } : {}),
        });
        const problem = requests instanceof TraceRequests ? requests.problem : undefined;
        return report(w, checked.deployment, result, problem && `line ${problem.line}: ${problem.message}`);
      }),
    };
  }
}

function report(w: Watched, d: Deployment, result: ServingResult, traceProblem: string | undefined): ServingReport {
  const { lwsim, ...vllm } = result;
  return {
    workload: w.workload.name,
    project: w.workload.project,
    startedAt: toSeconds(w.from),
    deployment: { model: d.model.id, gpu: d.gpu.id, tp: d.tp, pp: d.pp, engine: d.engine.name, dtype: d.weights },
    router: w.traffic.router,
    onReplicaLoss: w.traffic.onReplicaLoss,
    replicaChanges: w.changes.length,
    ...(traceProblem ? { traceProblem } : {}),
    result: vllm as Record<string, number>,
    lwsim,
  };
}
