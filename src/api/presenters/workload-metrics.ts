// Run:ai's workload and pod metrics (`GET /api/v1/workloads/{id}/metrics`, `…/pods/{podId}/metrics`) from what
// the model recorded: holdings over time for every workload (pods, GPUs, CPU, memory), and for a workload with
// traffic the serving simulation's samples (GPU utilisation and memory, vLLM's NIM figures). A metric lwsim has
// no model for (CPU usage, NVLink, SM activity …) is answered with no values rather than invented ones.
import type { Micros } from '../../../sim/engine/index.ts';
import { planMemory } from '../../../sim/perf/memory.ts';
import { cumulativeBuckets } from '../../../sim/serving/latency-histogram.ts';
import type { WorkloadMetrics } from '../../../sim/simulator/serving-watch.ts';
import type { AllocationPoint } from '../../../sim/simulator/workload-history.ts';
import type { ClockFormat } from './clock-format.ts';
import { holdingsAt, quantileOf, ServingTimeline } from './metric-timeline.ts';

type Json = Record<string, unknown>;

/** What a metric is read from. `replica`/`gpus`: a pod's (its group's replica, its devices); absent: the workload's. */
export interface MetricSources {
  readonly points: readonly AllocationPoint[];
  readonly serving: WorkloadMetrics | undefined;
  readonly pod?: { readonly replica: number; readonly gpus: readonly number[]; readonly leader: boolean };
}

/** One value at `t`; `previous` is the query's instant before (for counts over the step). */
type Reader = (s: Served | Held, t: Micros, previous: Micros) => number | undefined;

interface Held {
  readonly points: readonly AllocationPoint[];
}

interface Served extends Held {
  readonly timeline: ServingTimeline;
  readonly replicas: number[] | undefined;
  readonly gpusPerReplica: number;
  readonly memoryPerGpu: number;
  readonly maxNumSeqs: number;
}

const held =
  (read: (p: AllocationPoint) => number): Reader =>
  (s, t) => {
    const p = holdingsAt(s.points, t);
    return p === undefined ? undefined : read(p);
  };

const served =
  (read: (s: Served, t: Micros, previous: Micros) => number | undefined): Reader =>
  (s, t, previous) =>
    'timeline' in s ? read(s, t, previous) : undefined;

const replicasUp = (s: Served, t: Micros) => s.timeline.gauge(t, (r, k) => r.up[k]!, 'sum', s.replicas);

const latency = (which: 'ttft' | 'e2el', q?: number): Reader =>
  served((s, t, previous) => {
    const h = s.timeline.window(previous, t, which);
    if (q !== undefined) return quantileOf(h, q);
    return h === undefined || h.count === 0 ? undefined : h.sum / h.count;
  });

const PERCENTILES = [0.5, 0.9, 0.99] as const;

type Readers = Record<string, Reader | readonly { labels: Record<string, string>; read: Reader }[]>;

const gpuUtilization = served((s, t) =>
  pct(s.timeline.gauge(t, (r, k) => r.gpuUtilization[k]!, 'mean-up', s.replicas)),
);
const gpuMemoryUsage = served((s, t) => times(replicasUp(s, t), s.gpusPerReplica * s.memoryPerGpu));
const gpuMemoryUsagePerGpu = served((s, t) => times(replicasUp(s, t), s.memoryPerGpu));
const running = served((s, t) => s.timeline.gauge(t, (r, k) => r.running[k]!, 'sum', s.replicas));
const waiting = served((s, t) => s.timeline.gauge(t, (r, k) => r.waiting[k]!, 'sum', s.replicas));
const requestMax = served((s, t) => times(replicasUp(s, t), s.maxNumSeqs));
const cacheUsage = served((s, t) => s.timeline.gauge(t, (r, k) => r.kvUsage[k]!, 'mean-up', s.replicas));

/** Each metric type lwsim answers: one reader, or one per label set (percentiles). */
const WORKLOAD_READERS: Readers = {
  POD_COUNT: held((p) => p.pods),
  RUNNING_POD_COUNT: held((p) => p.runningPods),
  GPU_ALLOCATION: held((p) => p.gpus),
  GPU_MEMORY_REQUEST_BYTES: held((p) => p.gpuMemoryBytes),
  CPU_REQUEST_CORES: held((p) => p.cpuMillis / 1000),
  CPU_MEMORY_REQUEST_BYTES: held((p) => p.memoryBytes),
  GPU_UTILIZATION: gpuUtilization,
  GPU_MEMORY_USAGE_BYTES: gpuMemoryUsage,
  NIM_NUM_REQUESTS_RUNNING: running,
  NIM_NUM_REQUESTS_WAITING: waiting,
  NIM_NUM_REQUEST_MAX: requestMax,
  NIM_GPU_CACHE_USAGE_PERC: cacheUsage,
  NIM_REQUEST_SUCCESS_TOTAL: served((s, t) => s.timeline.total(t, 'completed')),
  NIM_REQUEST_FAILURE_TOTAL: served((s, t) => s.timeline.total(t, 'failed')),
  NIM_TIME_TO_FIRST_TOKEN_SECONDS: latency('ttft'),
  NIM_E2E_REQUEST_LATENCY_SECONDS: latency('e2el'),
  NIM_TIME_TO_FIRST_TOKEN_SECONDS_PERCENTILES: PERCENTILES.map((q) => ({
    labels: { quantile: String(q) },
    read: latency('ttft', q),
  })),
  NIM_E2E_REQUEST_LATENCY_SECONDS_PERCENTILES: PERCENTILES.map((q) => ({
    labels: { quantile: String(q) },
    read: latency('e2el', q),
  })),
};

/** Metric types whose windows are also given as histograms (`histogram` in the answer). */
const HISTOGRAMS: Record<string, 'ttft' | 'e2el'> = {
  NIM_TIME_TO_FIRST_TOKEN_SECONDS: 'ttft',
  NIM_E2E_REQUEST_LATENCY_SECONDS: 'e2el',
};

/** A pod's metrics: its replica's figures (only the leader runs the engine's API server: workers have no NIM ones). */
function podReaders(gpus: readonly number[], leader: boolean): Readers {
  const perGpu = (read: Reader) => gpus.map((gpu) => ({ labels: { gpu: String(gpu) }, read }));
  return {
    GPU_UTILIZATION: gpuUtilization,
    GPU_UTILIZATION_PER_GPU: perGpu(gpuUtilization),
    GPU_MEMORY_USAGE_BYTES: gpuMemoryUsage,
    GPU_MEMORY_USAGE_BYTES_PER_GPU: perGpu(gpuMemoryUsagePerGpu),
    ...(leader
      ? {
          NIM_NUM_REQUESTS_RUNNING: running,
          NIM_NUM_REQUESTS_WAITING: waiting,
          NIM_NUM_REQUEST_MAX: requestMax,
          NIM_GPU_CACHE_USAGE_PERC: cacheUsage,
        }
      : {}),
  };
}

export interface MetricsQuery {
  readonly types: readonly string[];
  readonly instants: readonly Micros[];
  /** The step before the first instant, for counts over a step. */
  readonly step: Micros;
}

/** The contract's MetricsCompositeResponse for a workload. */
export function presentWorkloadMetrics(sources: MetricSources, query: MetricsQuery, clock: ClockFormat): Json {
  return present(WORKLOAD_READERS, sources, query, clock);
}

/** The same for one pod (`sources.pod` given): its own replica, and memory of its own devices. */
export function presentPodMetrics(sources: MetricSources, query: MetricsQuery, clock: ClockFormat): Json {
  const pod = sources.pod!;
  return present(podReaders(pod.gpus, pod.leader), sources, query, clock, pod.gpus.length);
}

function present(
  readers: Readers,
  sources: MetricSources,
  query: MetricsQuery,
  clock: ClockFormat,
  gpusPerPod?: number,
): Json {
  const context = contextOf(sources, gpusPerPod);
  const measurements: Json[] = [];
  const histogram: Json[] = [];
  for (const type of query.types) {
    const reader = readers[type];
    const series =
      reader === undefined ? [] : typeof reader === 'function' ? [{ labels: undefined, read: reader }] : reader;
    if (series.length === 0) measurements.push({ type, values: [] });
    for (const { labels, read } of series)
      measurements.push({
        type,
        ...(labels ? { labels } : {}),
        values: values(query, (t, previous) => read(context, t, previous), clock),
      });
    const which = HISTOGRAMS[type];
    if (which !== undefined && 'timeline' in context && readers[type] !== undefined)
      histogram.push({ type, values: histogramValues(query, context.timeline, which, clock) });
  }
  return histogram.length > 0 ? { measurements, histogram } : { measurements };
}

function contextOf(sources: MetricSources, gpusPerPod: number | undefined): Served | Held {
  const serving = sources.serving;
  if (serving === undefined || serving.samples === undefined) return { points: sources.points };
  const d = serving.deployment;
  const plan = planMemory(d);
  return {
    points: sources.points,
    timeline: new ServingTimeline(serving.samples, serving.from),
    replicas: sources.pod ? [sources.pod.replica] : undefined,
    gpusPerReplica: gpusPerPod ?? d.tp * d.pp,
    // What the engine holds on each GPU once loaded: weights, activations, runtime and the whole KV cache.
    memoryPerGpu: Math.min(
      plan.deviceBytes,
      plan.weightBytes + plan.activationBytes + plan.runtimeBytes + plan.kvCacheTokens * plan.kvBytesPerToken,
    ),
    maxNumSeqs: d.engine.maxNumSeqs,
  };
}

function values(query: MetricsQuery, read: (t: Micros, previous: Micros) => number | undefined, clock: ClockFormat) {
  const out: Json[] = [];
  query.instants.forEach((t, i) => {
    const value = read(t, i === 0 ? t - query.step : query.instants[i - 1]!);
    if (value !== undefined && Number.isFinite(value)) out.push({ value: formatValue(value), timestamp: clock.iso(t) });
  });
  return out;
}

function histogramValues(query: MetricsQuery, timeline: ServingTimeline, which: 'ttft' | 'e2el', clock: ClockFormat) {
  const out: Json[] = [];
  query.instants.forEach((t, i) => {
    const h = timeline.window(i === 0 ? t - query.step : query.instants[i - 1]!, t, which);
    if (h !== undefined)
      out.push({
        timestamp: clock.iso(t),
        data: Object.fromEntries(cumulativeBuckets(h).map((b) => [b.le, String(b.count)])),
      });
  });
  return out;
}

const pct = (fraction: number | undefined) => (fraction === undefined ? undefined : fraction * 100);
const times = (n: number | undefined, each: number) => (n === undefined ? undefined : n * each);
const formatValue = (v: number): string => String(Number(v.toPrecision(12)));
