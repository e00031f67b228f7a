// The serving simulation: requests sent by a (possibly concurrency-limited) client, routed to replicas, each
// replica iterating its engine; time jumps from event to event (an arrival, or an iteration's end).
import { planMemory } from '../perf/memory.ts';
import type { IterationPricer } from '../perf/iteration.ts';
import {
  LATENCY_METRICS,
  MetricsCollector,
  percentileKey,
  type FailFastBound,
  type LatencyMetric,
  type Slo,
} from './metrics.ts';
import type { Bin } from './distribution.ts';
import { Replica } from './replica.ts';
import { SeriesRecorder, type ServingSeries } from './series.ts';
import { MetricsRecorder, type MetricsSamples } from './metrics-series.ts';
import type { HistogramCounts } from './latency-histogram.ts';
import { newRequest, type Request, type RequestSpec } from './request.ts';
import { ROUTERS, type Router, type RouterName, type RouterState } from './routers.ts';

/** A replica's group became Ready (`up`) or stopped serving, at `at` seconds. */
export interface ReplicaChange {
  readonly at: number;
  readonly replica: number;
  readonly up: boolean;
}

/**
 * What becomes of a lost replica's requests. `retry`: the gateway resends those that have not streamed a token yet
 * to another replica (the client's clock keeps running) and holds requests while no replica is up; requests that
 * already streamed fail, as a client cannot splice two answers. `fail`: all of them fail, and so does a request
 * sent while no replica is up.
 */
export type ReplicaLossPolicy = 'retry' | 'fail';

export interface ServingRun {
  /** One pricer per replica shape; every replica of a run shares the deployment. */
  readonly pricer: IterationPricer;
  readonly replicas: number;
  readonly router: RouterName;
  /** In arrival order; read lazily, so a trace streams. */
  readonly requests: Iterable<RequestSpec>;
  /** At most this many requests in flight (vLLM's --max-concurrency); unlimited when absent. */
  readonly maxConcurrency?: number;
  readonly slo?: Slo;
  readonly percentiles?: readonly number[];
  readonly metrics?: readonly LatencyMetric[];
  /** Stop at this simulated time (s); what is in flight then is counted, not finished. */
  readonly horizon?: number;
  /** Reuse cached prompt prefixes (requests with `prefixBlocks`); on by default, as in vLLM V1, SGLang, TensorRT-LLM. */
  readonly prefixCaching?: boolean;
  /** Replicas coming and going, in time order; when given, every replica starts down (a change naming a replica
   * beyond `replicas` adds it). Absent: all up throughout. */
  readonly availability?: readonly ReplicaChange[];
  /** Default `retry`. */
  readonly onReplicaLoss?: ReplicaLossPolicy;
  /** Sample per-replica time series every this many seconds (`lwsim.series`); none when absent. */
  readonly sampleSeconds?: number;
  /** Sample the whole workload's metrics every this many seconds (`metricsSamples()`); none when absent. */
  readonly metricsSeconds?: number;
  /** Stop as soon as one of these can no longer hold (`lwsim.stoppedEarly`); the figures are then partial. */
  readonly failFast?: readonly FailFastBound[];
}

/** `vllm bench serve --save-result`'s keys (same names, same units), and lwsim's own figures under `lwsim`. */
export type ServingResult = Record<string, number> & {
  readonly duration: number;
  readonly completed: number;
  readonly lwsim: ServingExtras;
};

export interface ServingExtras {
  readonly issued: number;
  readonly inFlight: number;
  /** Requests longer than a replica's whole KV cache: refused at once, as vLLM refuses them. */
  readonly rejected: number;
  /** Lost with their replica (or sent while none was up) and not retried. */
  readonly failed: number;
  /** Resent by the gateway after their replica went down. */
  readonly retried: number;
  readonly preemptions: number;
  readonly iterations: number;
  readonly kvCacheTokensPerReplica: number;
  readonly meanBatchTokens: number;
  /** Prompt tokens served from the prefix cache / prompt tokens of requests with prefix hashes. */
  readonly prefixHitRate: number;
  /** TTFT and TPOT histograms (ms, log-spaced bins), for charts. */
  readonly distributions: { readonly ttft: readonly Bin[]; readonly tpot: readonly Bin[] };
  readonly series?: ServingSeries;
  /** A fail-fast bound broke and the run stopped there. */
  readonly stoppedEarly?: boolean;
}

/** A serving simulation's figures at one moment, all replicas together. */
export interface ServingGauges {
  readonly running: number;
  readonly waiting: number;
  readonly kvUsage: number;
  readonly replicasUp: number;
  readonly completed: number;
  readonly failed: number;
  readonly preemptions: number;
  readonly promptTokens: number;
  readonly generationTokens: number;
  readonly ttft: HistogramCounts;
  readonly e2el: HistogramCounts;
}

export function simulateServing(run: ServingRun): ServingResult {
  const simulation = new ServingSimulation(run);
  for (const change of run.availability ?? []) simulation.change(change);
  simulation.advanceTo(run.horizon ?? Infinity);
  return simulation.result();
}

/**
 * The simulation as an object that can be fed and advanced: a live model adds replica changes as its cluster makes
 * them and advances to its clock; `simulateServing` is one advance to the horizon. Replicas named by a change that
 * do not exist yet are added (down), so a workload may scale up as it runs.
 */
export class ServingSimulation {
  private readonly replicas: Replica[] = [];
  private readonly totalBlocks: number;
  private readonly blockSize: number;
  private readonly changes: ReplicaChange[] = [];
  private readonly retry: boolean;
  private readonly metrics: MetricsCollector;
  private readonly series: SeriesRecorder | undefined;
  private readonly recorder: MetricsRecorder | undefined;
  private readonly router: Router;
  private readonly routerState: RouterState = { next: 0 };
  private readonly limit: number;
  private readonly source: Iterator<RequestSpec>;
  private next: IteratorResult<RequestSpec>;
  private changeIndex = 0;
  private now = 0;
  private issued = 0;
  private inFlight = 0;
  private rejected = 0;
  private failed = 0;
  private retried = 0;
  private streamed = 0;
  /** Requests the gateway holds while no replica is up. */
  private readonly held: Request[] = [];
  private readonly onToken = (r: Request, at: number): void => {
    this.metrics.token(r, at);
    this.streamed++;
  };
  private readonly onFinish = (r: Request): void => {
    this.metrics.finish(r);
    this.inFlight--;
  };

  constructor(private readonly run: ServingRun) {
    const d = run.pricer.deployment;
    const plan = planMemory(d);
    if (!plan.ok) throw new RangeError(plan.message);
    this.blockSize = d.engine.blockSize;
    this.totalBlocks = Math.floor(plan.kvCacheTokens / d.engine.blockSize);
    this.retry = (run.onReplicaLoss ?? 'retry') === 'retry';
    this.metrics = new MetricsCollector(run.pricer.requestSeconds, run.slo, run.failFast);
    this.series = run.sampleSeconds !== undefined ? new SeriesRecorder(run.sampleSeconds) : undefined;
    this.recorder = run.metricsSeconds !== undefined ? new MetricsRecorder(run.metricsSeconds) : undefined;
    this.router = ROUTERS[run.router];
    this.limit = run.maxConcurrency ?? Infinity;
    this.source = run.requests[Symbol.iterator]();
    this.next = this.source.next();
    for (let i = 0; i < run.replicas; i++) this.addReplica(run.availability === undefined);
  }

  private addReplica(up: boolean): void {
    const r = new Replica(
      this.replicas.length,
      this.run.pricer,
      this.run.pricer.deployment.engine,
      this.totalBlocks,
      this.run.prefixCaching ?? true,
    );
    r.up = up;
    this.replicas.push(r);
    this.series?.addReplica();
  }

  /** A replica change at `change.at` (not before the last one given); a new replica index adds replicas. */
  change(change: ReplicaChange): void {
    if (!(Number.isInteger(change.replica) && change.replica >= 0))
      throw new RangeError(`a replica change names replica ${change.replica}`);
    while (this.replicas.length <= change.replica) this.addReplica(false);
    this.changes.push(change);
  }

  /** Runs every event up to `horizon` seconds; what is in flight then stays in flight for the next advance. */
  advanceTo(horizon: number): void {
    const { replicas, changes, series, metrics } = this;
    while (!metrics.hopeless) {
      let ending: Replica | undefined;
      for (const r of replicas)
        if (!Number.isNaN(r.busyUntil) && (ending === undefined || r.busyUntil < ending.busyUntil)) ending = r;
      const end = ending?.busyUntil ?? Infinity;
      const next = this.next;
      const now = this.now;
      const arrival = !next.done && this.inFlight < this.limit ? Math.max(next.value.arrival, now) : Infinity;
      const changeAt = this.changeIndex < changes.length ? Math.max(changes[this.changeIndex]!.at, now) : Infinity;
      const first = Math.min(end, arrival, changeAt);
      if (first === Infinity || first > horizon) break;
      while (series !== undefined && series.next <= first)
        series.sample(replicas, this.streamed, metrics.completed, this.failed);
      this.sampleMetrics(first);
      if (changeAt === first) {
        this.now = changeAt;
        this.apply(changes[this.changeIndex++]!);
      } else if (end <= arrival) {
        this.now = end;
        ending!.complete(end, this.onFinish, this.onToken);
        ending!.launch(end);
      } else {
        this.now = arrival;
        this.arrive(next.value as RequestSpec);
      }
    }
    // Nothing happens before the next event: the samples due up to the horizon already hold.
    if (horizon !== Infinity) this.sampleMetrics(horizon);
  }

  private sampleMetrics(until: number): void {
    const { recorder, metrics } = this;
    if (recorder === undefined) return;
    const source = {
      replicas: this.replicas,
      completed: metrics.completed,
      failed: this.failed,
      ttft: metrics.ttftBuckets,
      e2el: metrics.e2elBuckets,
    };
    while (recorder.next <= until) recorder.sample(source);
  }

  /** The workload's metrics over time (with `metricsSeconds`); the caller only reads them. */
  metricsSamples(): Readonly<MetricsSamples> | undefined {
    return this.recorder?.samples;
  }

  /** What a Prometheus scrape of the engines would read now: gauges and cumulative counts, all replicas. */
  gauges(): ServingGauges {
    const up = this.replicas.filter((r) => r.up);
    return {
      running: sum(this.replicas, (r) => r.running.length),
      waiting: sum(this.replicas, (r) => r.waitingCount),
      kvUsage: up.length === 0 ? 0 : sum(up, (r) => (r.totalBlocks > 0 ? r.usedBlocks / r.totalBlocks : 0)) / up.length,
      replicasUp: up.length,
      completed: this.metrics.completed,
      failed: this.failed,
      preemptions: sum(this.replicas, (r) => r.preemptions),
      promptTokens: this.metrics.inputTokens,
      generationTokens: this.streamed,
      ttft: this.metrics.ttftBuckets.snapshot(),
      e2el: this.metrics.e2elBuckets.snapshot(),
    };
  }

  private arrive(spec: RequestSpec): void {
    this.next = this.source.next();
    const request = newRequest(this.issued++, spec, this.now);
    if (Math.ceil((spec.inputTokens + spec.outputTokens) / this.blockSize) > this.totalBlocks) {
      this.rejected++;
      return;
    }
    this.inFlight++;
    this.dispatch(request);
  }

  private fail(): void {
    this.failed++;
    this.inFlight--;
  }

  private dispatch(request: Request): void {
    const index = this.router(this.replicas, request, this.routerState);
    if (index < 0) {
      if (this.retry) this.held.push(request);
      else this.fail();
      return;
    }
    this.replicas[index]!.enqueue(request);
    this.replicas[index]!.launch(this.now);
  }

  private apply({ replica, up }: ReplicaChange): void {
    const r = this.replicas[replica]!;
    if (up === r.up) return;
    if (up) {
      r.up = true;
      for (const request of this.held.splice(0)) this.dispatch(request);
      return;
    }
    for (const lost of r.goDown()) {
      if (this.retry && lost.generated === 0) {
        this.retried++;
        resetRequest(lost);
        this.dispatch(lost);
      } else this.fail();
    }
  }

  /** The figures so far. */
  result(): ServingResult {
    const { replicas, metrics, series } = this;
    const iterations = sum(replicas, (r) => r.iterations);
    return result(this.run, metrics, {
      issued: this.issued,
      inFlight: this.inFlight,
      rejected: this.rejected,
      failed: this.failed,
      retried: this.retried,
      preemptions: sum(replicas, (r) => r.preemptions),
      iterations,
      kvCacheTokensPerReplica: this.totalBlocks * this.blockSize,
      meanBatchTokens: sum(replicas, (r) => r.batchTokens) / Math.max(1, iterations),
      prefixHitRate: hitRate(replicas),
      distributions: { ttft: metrics.ttft.bins(), tpot: metrics.tpot.bins() },
      ...(series ? { series: structuredClone(series.series) } : {}),
      ...(metrics.hopeless ? { stoppedEarly: true } : {}),
    });
  }
}

/** A retried request starts over on its new replica: nothing of it is cached there. */
function resetRequest(r: Request): void {
  r.computed = 0;
  r.blocks = 0;
  r.busy = false;
  r.prefixHitTokens = -1;
  r.replica = -1;
}

const sum = (replicas: readonly Replica[], f: (r: Replica) => number): number => replicas.reduce((s, r) => s + f(r), 0);

function hitRate(replicas: readonly Replica[]): number {
  let hit = 0;
  let looked = 0;
  for (const r of replicas) {
    hit += r.prefixHits.hitTokens;
    looked += r.prefixHits.lookedUpTokens;
  }
  return looked > 0 ? hit / looked : 0;
}

function result(run: ServingRun, m: MetricsCollector, extras: ServingExtras): ServingResult {
  const duration = m.lastFinish;
  const percentiles = run.percentiles ?? [99];
  const out: Record<string, number> = {
    duration,
    completed: m.completed,
    total_input_tokens: m.inputTokens,
    total_output_tokens: m.outputTokens,
    request_throughput: duration > 0 ? m.completed / duration : 0,
    output_throughput: duration > 0 ? m.outputTokens / duration : 0,
    total_token_throughput: duration > 0 ? (m.inputTokens + m.outputTokens) / duration : 0,
  };
  if (run.slo !== undefined) out.request_goodput = duration > 0 ? m.good / duration : 0;
  if (run.maxConcurrency !== undefined) out.max_concurrency = run.maxConcurrency;
  for (const metric of run.metrics ?? LATENCY_METRICS) {
    const s = m[metric].summary(percentiles);
    out[`mean_${metric}_ms`] = s.mean;
    out[`median_${metric}_ms`] = s.median;
    out[`std_${metric}_ms`] = s.std;
    for (const [p, v] of s.percentiles) out[`${percentileKey(p)}_${metric}_ms`] = v;
  }
  return Object.assign(out, { lwsim: extras }) as ServingResult;
}
