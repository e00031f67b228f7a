// The cluster's served workloads: each workload with traffic has a serving simulation that follows its groups — a
// group serves while it is Ready — and advances with the cluster's clock, so the model can say at any moment how
// the workload has served its clients (a replay's serving section, the live server's serving metrics).
import { toSeconds, type Micros } from '../engine/index.ts';
import { DEFAULT_LATENCY_MODEL, LATENCY_MODELS, type Deployment } from '../perf/index.ts';
import { ServingSimulation, type ServingGauges, type ServingResult } from '../serving/simulate.ts';
import type { MetricsSamples } from '../serving/metrics-series.ts';
import type { RequestSpec } from '../serving/request.ts';
import { TraceRequests } from '../serving/traces.ts';
import { trafficDeployment, trafficRequests, type TraceLines, type WorkloadTraffic } from '../serving/traffic.ts';
import type { Random } from '../engine/random.ts';
import type { WorkloadState } from '../workloads/state.ts';
import type { SimulatedCluster } from './simulated-cluster.ts';

/** What a served workload runs, as reports and the API name it. */
export interface ServedDeployment {
  readonly model: string;
  readonly gpu: string;
  readonly tp: number;
  readonly pp: number;
  readonly engine: string;
  readonly dtype: string;
}

export const servedDeployment = (d: Deployment): ServedDeployment => ({
  model: d.model.id,
  gpu: d.gpu.id,
  tp: d.tp,
  pp: d.pp,
  engine: d.engine.name,
  dtype: d.weights,
});

/** A workload's serving so far: its deployment, and `vllm bench serve`'s figures (`result.lwsim`: lwsim's own). */
export type WorkloadServing =
  | {
      readonly ok: true;
      readonly workload: WorkloadState;
      readonly traffic: WorkloadTraffic;
      readonly deployment: Deployment;
      /** When its clients began sending (its creation). */
      readonly from: Micros;
      readonly replicaChanges: number;
      /** Why a trace stopped early (the line it could not read). */
      readonly traceProblem?: string;
      readonly result: ServingResult;
    }
  /** The workload cannot serve this traffic (fractional GPUs, a model too big for its GPUs). */
  | { readonly ok: false; readonly workload: WorkloadState; readonly message: string };

/** A served workload's engine figures: now (`gauges`) and sampled since `from` (seconds after it). */
export interface WorkloadMetrics {
  readonly from: Micros;
  readonly deployment: Deployment;
  readonly gauges: ServingGauges;
  readonly samples: Readonly<MetricsSamples> | undefined;
}

interface Served {
  readonly workload: WorkloadState;
  readonly traffic: WorkloadTraffic;
  readonly deployment: Deployment;
  readonly from: Micros;
  readonly simulation: ServingSimulation;
  readonly requests: Iterable<unknown>;
  /** Per group index: serving now? */
  readonly up: boolean[];
  changes: number;
}

export interface ServingWatchOptions {
  /** Reads trace files a traffic names (file reading lives outside sim/). */
  readonly traceLines?: TraceLines;
  /** Per-replica time series every this many seconds (none when absent). */
  readonly sampleSeconds?: number;
  /** Workload metrics (all replicas) every this many seconds, for `metrics()` (none when absent). */
  readonly metricsSeconds?: number;
  /** When the run ends (a scenario's horizon): a synthetic load without a count sends until then; else forever. */
  readonly until?: Micros;
  /** The generator of a workload's synthetic arrivals, by workload name. */
  readonly random: (workload: string) => Random;
}

export class ServingWatch {
  private readonly served = new Map<WorkloadState, Served | string>();

  constructor(
    private readonly cluster: SimulatedCluster,
    private readonly options: ServingWatchOptions,
  ) {
    cluster.observers.on('workload-touched', (w) => {
      const served = this.served.get(w);
      if (served !== undefined && typeof served !== 'string') this.look(served);
    });
  }

  /** Serves `workload` with `traffic` from now on. */
  watch(workload: WorkloadState, traffic: WorkloadTraffic): void {
    const deployment = trafficDeployment(traffic.serve, workload.spec, this.cluster.spec);
    if (!deployment.ok) {
      this.served.set(workload, deployment.message);
      return;
    }
    let requests: Iterable<RequestSpec>;
    let simulation: ServingSimulation;
    try {
      requests = trafficRequests(
        traffic,
        this.options.random(workload.name),
        this.options.until === undefined ? Infinity : toSeconds(this.options.until - this.cluster.now),
        this.options.traceLines,
      );
      simulation = new ServingSimulation({
        pricer: LATENCY_MODELS[DEFAULT_LATENCY_MODEL].create(deployment.deployment),
        replicas: 0,
        router: traffic.router,
        requests,
        availability: [],
        onReplicaLoss: traffic.onReplicaLoss,
        percentiles: traffic.percentiles,
        ...(this.options.sampleSeconds !== undefined ? { sampleSeconds: this.options.sampleSeconds } : {}),
        ...(this.options.metricsSeconds !== undefined ? { metricsSeconds: this.options.metricsSeconds } : {}),
        ...(traffic.slo ? { slo: traffic.slo } : {}),
        ...(traffic.maxConcurrency !== undefined ? { maxConcurrency: traffic.maxConcurrency } : {}),
      });
    } catch (e) {
      // A trace that cannot be read (gone since the cluster file was read): the workload says so, nothing breaks.
      this.served.set(workload, messageOf(e));
      return;
    }
    const served: Served = {
      workload,
      traffic,
      deployment: deployment.deployment,
      from: this.cluster.now,
      simulation,
      requests,
      up: [],
      changes: 0,
    };
    this.served.set(workload, served);
    this.look(served);
  }

  /** How many workloads are watched (a snapshot cannot capture their request streams). */
  get watched(): number {
    return this.served.size;
  }

  /** The workloads watched, in the order they were. */
  workloads(): WorkloadState[] {
    return [...this.served.keys()];
  }

  /** How `workload` has served up to the cluster's now; undefined when it has no traffic. */
  serving(workload: WorkloadState): WorkloadServing | undefined {
    const served = this.advanced(workload);
    if (served === undefined) return undefined;
    if (typeof served === 'string') return { ok: false, workload, message: served };
    const problem = served.requests instanceof TraceRequests ? served.requests.problem : undefined;
    return {
      ok: true,
      workload,
      traffic: served.traffic,
      deployment: served.deployment,
      from: served.from,
      replicaChanges: served.changes,
      ...(problem ? { traceProblem: `line ${problem.line}: ${problem.message}` } : {}),
      result: served.simulation.result(),
    };
  }

  /**
   * `workload`'s engine figures now and over time (samples with `metricsSeconds`), up to the cluster's now:
   * undefined without traffic, a message when it cannot serve.
   */
  metrics(workload: WorkloadState): WorkloadMetrics | string | undefined {
    const served = this.advanced(workload);
    if (served === undefined || typeof served === 'string') return served;
    return {
      from: served.from,
      deployment: served.deployment,
      gauges: served.simulation.gauges(),
      samples: served.simulation.metricsSamples(),
    };
  }

  /** The workload's serving, advanced to the cluster's now (a message once it has failed). */
  private advanced(workload: WorkloadState): Served | string | undefined {
    const served = this.served.get(workload);
    if (served === undefined || typeof served === 'string') return served;
    try {
      served.simulation.advanceTo(this.seconds(served));
      return served;
    } catch (e) {
      this.served.set(workload, messageOf(e));
      return messageOf(e);
    }
  }

  private seconds(served: Served): number {
    return toSeconds(this.cluster.now - served.from);
  }

  /** Tells the simulation of every group that started or stopped serving since it last looked. */
  private look(served: Served): void {
    const groups = served.workload.groups;
    const ready = new Map(groups.map((g) => [g.index, g.status === 'ready']));
    const indexes = Math.max(served.up.length, ...groups.map((g) => g.index + 1));
    const at = this.seconds(served);
    for (let i = 0; i < indexes; i++) {
      const up = ready.get(i) === true;
      if (up === (served.up[i] === true)) continue;
      served.up[i] = up;
      served.changes++;
      served.simulation.change({ at, replica: i, up });
    }
  }
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
