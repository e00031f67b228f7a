// A distributed-inference workload's traffic, as a scenario declares it: what it serves (the deployment), the load
// (synthetic or a trace), how it is routed and what happens to requests when a replica is lost.
import type { Random } from '../engine/random.ts';
import type { DeploymentRequest } from '../perf/deployment.ts';
import { syntheticRequests, type ArrivalProcess, type LengthDistribution } from './arrivals.ts';
import type { Slo } from './metrics.ts';
import type { RequestSpec } from './request.ts';
import type { RouterName } from './routers.ts';
import type { ReplicaLossPolicy } from './simulate.ts';
import { TraceRequests, type TraceFormat, type TraceWindow } from './traces.ts';

export type TrafficLoad =
  | {
      readonly kind: 'synthetic';
      readonly arrivals: ArrivalProcess;
      readonly input: LengthDistribution;
      readonly output: LengthDistribution;
      /** Requests sent; by default as many as the rate brings before the horizon. */
      readonly requests?: number;
    }
  | { readonly kind: 'trace'; readonly path: string; readonly format: TraceFormat; readonly window: TraceWindow };

export interface WorkloadTraffic {
  /** The model, engine and dtype; the GPU, TP (GPUs per pod) and PP (pods per group) come from the workload. */
  readonly deployment: DeploymentRequest;
  readonly load: TrafficLoad;
  readonly router: RouterName;
  readonly onReplicaLoss: ReplicaLossPolicy;
  readonly maxConcurrency?: number;
  readonly slo?: Slo;
  readonly percentiles: readonly number[];
}

/** Reads a trace file's lines (I/O lives outside sim/: the caller passes the reader). */
export type TraceLines = (path: string) => Iterable<string>;

/**
 * The requests of `traffic` over `seconds` of the workload's life. A synthetic load without a count sends what its
 * rate brings in that time (the ramp's mean rate for a ramp); a trace is read lazily, so it streams.
 */
export function trafficRequests(
  traffic: WorkloadTraffic,
  random: Random,
  seconds: number,
  lines: TraceLines | undefined,
): Iterable<RequestSpec> {
  const load = traffic.load;
  if (load.kind === 'trace') {
    if (lines === undefined) throw new RangeError(`traffic: no way to read the trace ${load.path} here`);
    // Read only as far as the simulation's horizon asks.
    return new TraceRequests(lines(load.path), load.format, load.window);
  }
  const a = load.arrivals;
  const rate = a.kind === 'gamma' ? a.rate : a.kind === 'ramp' ? (a.startRate + a.endRate) / 2 : Infinity;
  const count = load.requests ?? (Number.isFinite(rate) ? Math.floor(rate * seconds) : 0);
  return syntheticRequests(random, count, a, load.input, load.output);
}
