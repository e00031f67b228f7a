// The serving simulation: requests sent by a (possibly concurrency-limited) client, routed to replicas, each
// replica iterating its engine; time jumps from event to event (an arrival, or an iteration's end).
import { planMemory } from '../perf/memory.ts';
import type { IterationPricer } from '../perf/iteration.ts';
import { LATENCY_METRICS, MetricsCollector, percentileKey, type LatencyMetric, type Slo } from './metrics.ts';
import type { Bin } from './distribution.ts';
import { Replica } from './replica.ts';
import { SeriesRecorder, type ServingSeries } from './series.ts';
import { newRequest, type Request, type RequestSpec } from './request.ts';
import { ROUTERS, type RouterName, type RouterState } from './routers.ts';

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
  /** Replicas coming and going, in time order; when given, every replica starts down. Absent: all up throughout. */
  readonly availability?: readonly ReplicaChange[];
  /** Default `retry`. */
  readonly onReplicaLoss?: ReplicaLossPolicy;
  /** Sample per-replica time series every this many seconds (`lwsim.series`); none when absent. */
  readonly sampleSeconds?: number;
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
}

export function simulateServing(run: ServingRun): ServingResult {
  const d = run.pricer.deployment;
  const plan = planMemory(d);
  if (!plan.ok) throw new RangeError(plan.message);
  const totalBlocks = Math.floor(plan.kvCacheTokens / d.engine.blockSize);
  const replicas = Array.from(
    { length: run.replicas },
    (_, i) => new Replica(i, run.pricer, d.engine, totalBlocks, run.prefixCaching ?? true),
  );
  const changes = run.availability ?? [];
  if (changes.some((c) => !(c.replica >= 0 && c.replica < run.replicas)))
    throw new RangeError(`availability names a replica outside 0..${run.replicas - 1}`);
  if (run.availability) for (const r of replicas) r.up = false;
  const retry = (run.onReplicaLoss ?? 'retry') === 'retry';
  const metrics = new MetricsCollector(run.pricer.requestSeconds, run.slo);
  const series = run.sampleSeconds !== undefined ? new SeriesRecorder(run.sampleSeconds, run.replicas) : undefined;
  const router = ROUTERS[run.router];
  const routerState: RouterState = { next: 0 };
  const limit = run.maxConcurrency ?? Infinity;
  const horizon = run.horizon ?? Infinity;
  const source = run.requests[Symbol.iterator]();
  let next = source.next();
  let change = 0;
  let now = 0;
  let issued = 0;
  let inFlight = 0;
  let rejected = 0;
  let failed = 0;
  let retried = 0;
  let streamed = 0;
  /** Requests the gateway holds while no replica is up. */
  const held: Request[] = [];
  const onToken = (r: Request, at: number): void => {
    metrics.token(r, at);
    streamed++;
  };
  const onFinish = (r: Request): void => {
    metrics.finish(r);
    inFlight--;
  };
  const fail = (): void => {
    failed++;
    inFlight--;
  };
  const dispatch = (request: Request): void => {
    const index = router(replicas, request, routerState);
    if (index < 0) {
      if (retry) held.push(request);
      else fail();
      return;
    }
    replicas[index]!.enqueue(request);
    replicas[index]!.launch(now);
  };
  const apply = ({ replica, up }: ReplicaChange): void => {
    const r = replicas[replica]!;
    if (up === r.up) return;
    if (up) {
      r.up = true;
      for (const request of held.splice(0)) dispatch(request);
      return;
    }
    for (const lost of r.goDown()) {
      if (retry && lost.generated === 0) {
        retried++;
        resetRequest(lost);
        dispatch(lost);
      } else fail();
    }
  };
  for (;;) {
    let ending: Replica | undefined;
    for (const r of replicas)
      if (!Number.isNaN(r.busyUntil) && (ending === undefined || r.busyUntil < ending.busyUntil)) ending = r;
    const end = ending?.busyUntil ?? Infinity;
    const arrival = !next.done && inFlight < limit ? Math.max(next.value.arrival, now) : Infinity;
    const changeAt = change < changes.length ? Math.max(changes[change]!.at, now) : Infinity;
    const first = Math.min(end, arrival, changeAt);
    if (first === Infinity || first > horizon) break;
    while (series !== undefined && series.next <= first) series.sample(replicas, streamed, metrics.completed, failed);
    if (changeAt === first) {
      now = changeAt;
      apply(changes[change++]!);
      continue;
    }
    if (end <= arrival) {
      now = end;
      ending!.complete(now, onFinish, onToken);
      ending!.launch(now);
      continue;
    }
    now = arrival;
    const spec = next.value as RequestSpec;
    next = source.next();
    const request = newRequest(issued++, spec, now);
    if (Math.ceil((spec.inputTokens + spec.outputTokens) / d.engine.blockSize) > totalBlocks) {
      rejected++;
      continue;
    }
    inFlight++;
    dispatch(request);
  }
  return result(run, metrics, {
    issued,
    inFlight,
    rejected,
    failed,
    retried,
    preemptions: sum(replicas, (r) => r.preemptions),
    iterations: sum(replicas, (r) => r.iterations),
    kvCacheTokensPerReplica: totalBlocks * d.engine.blockSize,
    meanBatchTokens:
      sum(replicas, (r) => r.batchTokens) /
      Math.max(
        1,
        sum(replicas, (r) => r.iterations),
      ),
    prefixHitRate: hitRate(replicas),
    distributions: { ttft: metrics.ttft.bins(), tpot: metrics.tpot.bins() },
    ...(series ? { series: series.series } : {}),
  });
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
