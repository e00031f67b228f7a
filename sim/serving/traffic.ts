// A distributed-inference workload's traffic, as a scenario declares it: what it serves (the deployment), the load
// (synthetic or a trace), how it is routed and what happens to requests when a replica is lost.
import type { Random } from '../engine/random.ts';
import type { ClusterSpec } from '../cluster/spec.ts';
import { checkDeployment, type Deployment, type DeploymentRequest } from '../perf/deployment.ts';
import { planMemory } from '../perf/memory.ts';
import type { InferenceSpec } from '../workloads/spec.ts';
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

/** What a workload serves; the GPU, TP (GPUs per pod) and PP (pods per group) come from the workload and cluster. */
export interface ServedModel {
  readonly model: string;
  readonly engine?: string;
  readonly dtype?: string;
  /** Needed only when the cluster has several GPU models. */
  readonly gpu?: string;
  readonly maxNumSeqs?: number;
  readonly maxNumBatchedTokens?: number;
}

export interface WorkloadTraffic {
  readonly serve: ServedModel;
  readonly load: TrafficLoad;
  readonly router: RouterName;
  readonly onReplicaLoss: ReplicaLossPolicy;
  readonly maxConcurrency?: number;
  readonly slo?: Slo;
  readonly percentiles: readonly number[];
}

export type TrafficDeployment =
  | { readonly ok: true; readonly request: DeploymentRequest; readonly deployment: Deployment }
  /** `field`: the traffic's field at fault, or absent when it is the workload's shape. */
  | { readonly ok: false; readonly field?: string; readonly message: string };

/** The deployment one replica of `spec` is, serving `served` on `cluster`: checked, and fitting in memory. */
export function trafficDeployment(served: ServedModel, spec: InferenceSpec, cluster: ClusterSpec): TrafficDeployment {
  const leader = spec.leader.resources.gpu;
  const worker = spec.worker?.resources.gpu;
  if (leader.kind !== 'devices' || (spec.workers > 0 && (worker?.kind !== 'devices' || worker.count !== leader.count)))
    return {
      ok: false,
      message:
        'traffic needs whole GPUs, the same on the leader and every worker (gpuDevicesRequest): TP is the GPUs of one pod',
    };
  const sets = cluster.nodePools.flatMap((p) => p.nodes).filter((n) => n.gpu.count > 0);
  const models = [...new Set(sets.map((n) => n.gpu.model))];
  const gpu = served.gpu ?? (models.length === 1 ? models[0] : undefined);
  if (gpu === undefined)
    return {
      ok: false,
      field: 'gpu',
      message: `name the GPU the workload runs on: the cluster has ${models.length === 0 ? 'none' : models.join(', ')}`,
    };
  const nodes = sets.find((n) => n.gpu.model === gpu);
  if (nodes === undefined) return { ok: false, field: 'gpu', message: `no node of the cluster has ${gpu} GPUs` };
  const request: DeploymentRequest = {
    model: served.model,
    gpu,
    tp: leader.count,
    pp: 1 + spec.workers,
    ...(served.dtype !== undefined ? { dtype: served.dtype } : {}),
    ...(served.engine !== undefined ? { engine: served.engine } : {}),
    gpuTypes: cluster.gpuTypes,
    gpusPerNode: nodes.gpu.count,
    ...(nodes.network ? { network: nodes.network } : {}),
    stagesAcrossNodes: spec.workers > 0,
    engineOverrides: {
      ...(served.maxNumSeqs !== undefined ? { maxNumSeqs: served.maxNumSeqs } : {}),
      ...(served.maxNumBatchedTokens !== undefined ? { maxNumBatchedTokens: served.maxNumBatchedTokens } : {}),
    },
  };
  const checked = checkDeployment(request);
  if (!checked.ok) {
    // TP and PP are the workload's: say which of its fields they come from.
    const own = ({ tp: 'gpuDevicesRequest', pp: 'workers' } as Record<string, string | undefined>)[checked.field];
    return own
      ? { ok: false, message: `${own}: ${checked.message}` }
      : { ok: false, field: checked.field, message: checked.message };
  }
  const memory = planMemory(checked.deployment);
  return memory.ok
    ? { ok: true, request, deployment: checked.deployment }
    : { ok: false, field: 'model', message: memory.message };
}

/** Reads a trace file's lines (I/O lives outside sim/: the caller passes the reader). */
export type TraceLines = (path: string) => Iterable<string>;

/**
 * The requests of `traffic` over `seconds` of the workload's life. A synthetic load without a count sends what its
 * rate brings in that time (the ramp's mean rate for a ramp), endlessly when `seconds` is Infinity (a live server:
 * a ramp then needs a count); a trace is read lazily, so it streams.
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
  if (a.kind === 'ramp' && !Number.isFinite(count))
    throw new RangeError('traffic: a ramp without an end needs requests: (how many it ramps over)');
  return syntheticRequests(random, count, a, load.input, load.output);
}
