// `GET /metrics`: the simulated cluster as Prometheus would scrape a real one, in the text exposition format
// written by prom-client. Three vocabularies, so existing dashboards read it unchanged: KAI-Scheduler's (queues'
// deserved, allocated and fair-share GPUs per node pool, pending pod groups, cycle latency, evictions),
// kube-state-metrics' (nodes and pods), and vLLM's own engine metrics for every workload with traffic.
import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, type MetricType } from 'prom-client';
import { GPU_UNITS } from '../../sim/cluster/index.ts';
import { allocationMetrics } from '../../sim/scheduler/metrics.ts';
import { cumulativeBuckets, type HistogramCounts } from '../../sim/serving/latency-histogram.ts';
import { projectNamespace } from '../../sim/workloads/naming.ts';
import type { PodStage } from '../../sim/workloads/state.ts';
import type { ApiContext } from './context.ts';

/** A histogram whose buckets are counted elsewhere (the serving simulation): prom-client only writes it out. */
class CountedHistogram extends Histogram<string> {
  /** What to write at the next scrape. */
  series: { labels: Record<string, string>; counts: HistogramCounts }[] = [];

  constructor(
    private readonly metricName: string,
    private readonly metricHelp: string,
    registry: Registry,
  ) {
    super({ name: metricName, help: metricHelp, registers: [registry] });
  }

  // The registry writes what this returns (prom-client's Histogram does the same from its own observations).
  async getForPromString() {
    const name = this.metricName;
    const values = this.series.flatMap(({ labels, counts }) => {
      const buckets = cumulativeBuckets(counts).map(({ le, count }) => ({
        value: count,
        labels: { ...labels, le },
        metricName: `${name}_bucket`,
      }));
      return [
        ...buckets,
        { value: counts.sum, labels, metricName: `${name}_sum` },
        { value: counts.count, labels, metricName: `${name}_count` },
      ];
    });
    // prom-client's typings give the type as an enum; at run time (and in its own Histogram) it is the string.
    const type = 'histogram' as unknown as MetricType;
    return { name, help: this.metricHelp, type, values, aggregator: 'sum' as const, collect: () => undefined };
  }

  override async get() {
    return this.getForPromString();
  }
}

/** Kubernetes pod phase of a pod stage. */
const POD_PHASE: Record<PodStage, 'Pending' | 'Running'> = {
  Unscheduled: 'Pending',
  PullingImage: 'Pending',
  Starting: 'Pending',
  LoadingModel: 'Running',
  Ready: 'Running',
  Terminating: 'Running',
};

type Refresh = () => void;

/**
 * The metrics of one server. Gauges are set from the model at each scrape (`scrape()` refreshes them, then
 * prom-client writes them out); the cycle latency and evictions are counted as cycles run.
 */
export class ClusterMetrics {
  private readonly registry = new Registry();
  private readonly refreshers: Refresh[];

  constructor(private readonly ctx: ApiContext) {
    this.refreshers = [this.scheduler(), this.kubeState(), this.vllm()];
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async scrape(): Promise<string> {
    this.ctx.live.sync();
    for (const refresh of this.refreshers) refresh();
    return this.registry.metrics();
  }

  private gauge(name: string, help: string, labelNames: readonly string[]): Gauge {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  private counter(name: string, help: string, labelNames: readonly string[]): Counter {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  /** KAI-Scheduler's view: queues per node pool, pending pod groups, cycle latency, evictions. */
  private scheduler(): Refresh {
    const q = ['queue_name', 'queue_kind', 'nodepool'];
    const deserved = this.gauge('kai_queue_deserved_gpus', 'Queue deserved GPUs', q);
    const allocated = this.gauge('kai_queue_allocated_gpus', 'Queue allocated GPUs', q);
    const nonPreemptible = this.gauge(
      'kai_queue_allocated_non_preemptible_gpus',
      'Queue allocated GPUs of non-preemptible workloads',
      q,
    );
    const fairShare = this.gauge('kai_queue_fair_share_gpu', 'Queue fair share of GPUs', q);
    const limit = this.gauge('kai_queue_limit_gpus', 'Queue GPU limit (-1: unlimited)', q);
    const waiting = this.gauge('kai_queue_pending_gpus', 'GPUs the queue waits for (pending pod groups)', q);
    const pending = this.gauge('kai_pending_pod_groups', 'Pod groups waiting, by queue and reason', [
      'queue_name',
      'reason',
    ]);
    const capacity = this.gauge('lwsim_nodepool_gpus', 'GPUs on ready nodes', ['nodepool']);
    const fragmented = this.gauge(
      'lwsim_nodepool_fragmented_gpus',
      'Free GPUs that no waiting (or typical) request can use',
      ['nodepool'],
    );
    const latency = new Histogram({
      name: 'kai_e2e_scheduling_latency_milliseconds',
      help: 'Wall time of one cycle of the simulated scheduler',
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers: [this.registry],
    });
    const evictions = this.counter(
      'kai_pod_group_evictions_total',
      'Pod groups evicted, by the victim queue and the action (reclaim or preempt)',
      ['queue_name', 'action'],
    );
    const observers = this.ctx.live.model.observers;
    let started = 0;
    observers.on('scheduling-cycle-started', () => void (started = performance.now()));
    observers.on('scheduling-cycle', (report) => {
      latency.observe(performance.now() - started);
      for (const e of report.evictions) evictions.inc({ queue_name: e.victim.spec.project, action: e.action });
    });
    return () => {
      const { scheduler } = this.ctx.live.model;
      const metrics = allocationMetrics(scheduler);
      for (const g of [deserved, allocated, nonPreemptible, fairShare, limit, waiting, pending, capacity, fragmented])
        g.reset();
      for (const m of metrics.queues) {
        const labels = { queue_name: m.queue, queue_kind: m.kind, nodepool: m.pool };
        deserved.set(labels, m.deservedGpus);
        allocated.set(labels, m.allocatedGpus);
        nonPreemptible.set(labels, m.allocatedNonPreemptibleGpus);
        fairShare.set(labels, m.fairShareGpus);
        limit.set(labels, m.limitGpus ?? -1);
        waiting.set(labels, m.pendingGpus);
      }
      for (const p of metrics.pools) {
        capacity.set({ nodepool: p.pool }, p.capacityGpus);
        fragmented.set({ nodepool: p.pool }, p.fragmentedGpus);
      }
      for (const gang of scheduler.pendingGangs())
        pending.inc({ queue_name: gang.spec.project, reason: gang.pending?.code ?? 'Unschedulable' });
    };
  }

  /** kube-state-metrics' view of nodes and pods. */
  private kubeState(): Refresh {
    const condition = this.gauge('kube_node_status_condition', 'The condition of a cluster node', [
      'node',
      'condition',
      'status',
    ]);
    const allocatable = this.gauge('kube_node_status_allocatable', 'The allocatable resources of a node', [
      'node',
      'resource',
      'unit',
    ]);
    const phase = this.gauge('kube_pod_status_phase', "The pod's current phase (only the phase it is in)", [
      'namespace',
      'pod',
      'phase',
    ]);
    const requests = this.gauge(
      'kube_pod_container_resource_requests',
      'GPUs requested by the container of a placed pod',
      ['namespace', 'pod', 'container', 'node', 'resource', 'unit'],
    );
    return () => {
      const { cluster } = this.ctx.live.model.scheduler;
      for (const g of [condition, allocatable, phase, requests]) g.reset();
      for (const node of cluster.layout.nodes) {
        const up = cluster.isReady(node.index);
        condition.set({ node: node.name, condition: 'Ready', status: 'true' }, up ? 1 : 0);
        condition.set({ node: node.name, condition: 'Ready', status: 'false' }, up ? 0 : 1);
        allocatable.set({ node: node.name, resource: 'nvidia_com_gpu', unit: 'integer' }, node.gpuCount);
        allocatable.set({ node: node.name, resource: 'cpu', unit: 'core' }, node.cpuMillis / 1000);
        allocatable.set({ node: node.name, resource: 'memory', unit: 'byte' }, node.memoryBytes);
      }
      for (const w of this.ctx.live.model.allWorkloads()) {
        if (w.deletedAt !== null) continue;
        const namespace = projectNamespace(w.project);
        for (const group of w.groups)
          for (const pod of group.pods) {
            phase.set({ namespace, pod: pod.name, phase: POD_PHASE[pod.stage] }, 1);
            if (pod.binding === null || pod.node === null) continue;
            const gpus = (pod.binding.unitsPerGpu * pod.binding.gpus.length) / GPU_UNITS;
            const labels = { namespace, pod: pod.name, container: pod.role, node: pod.node };
            requests.set({ ...labels, resource: 'nvidia_com_gpu', unit: 'integer' }, gpus);
          }
      }
    };
  }

  /** vLLM's engine metrics per workload with traffic (its replicas together, as one engine behind a gateway). */
  private vllm(): Refresh {
    const labelNames = ['namespace', 'workload', 'model_name'];
    const running = this.gauge('vllm:num_requests_running', 'Requests in model execution batches', labelNames);
    const waiting = this.gauge('vllm:num_requests_waiting', 'Requests waiting to be processed', labelNames);
    const kv = this.gauge(
      'vllm:kv_cache_usage_perc',
      'KV-cache usage, 1 = 100% (mean over serving replicas)',
      labelNames,
    );
    const gpuCache = this.gauge('vllm:gpu_cache_usage_perc', 'KV-cache usage (its name before vLLM V1)', labelNames);
    const success = this.counter('vllm:request_success_total', 'Requests finished', labelNames);
    const prompt = this.counter('vllm:prompt_tokens_total', 'Prefill tokens processed', labelNames);
    const generation = this.counter('vllm:generation_tokens_total', 'Generation tokens processed', labelNames);
    const preemptions = this.counter('vllm:num_preemptions_total', 'Requests preempted by the engine', labelNames);
    const ttft = new CountedHistogram(
      'vllm:time_to_first_token_seconds',
      'Time to first token in seconds',
      this.registry,
    );
    const e2el = new CountedHistogram(
      'vllm:e2e_request_latency_seconds',
      'End-to-end request latency in seconds',
      this.registry,
    );
    return () => {
      for (const m of [running, waiting, kv, gpuCache, success, prompt, generation, preemptions]) m.reset();
      ttft.series = [];
      e2el.series = [];
      for (const w of this.ctx.live.serving.workloads()) {
        const metrics = w.deletedAt === null ? this.ctx.live.serving.metrics(w) : undefined;
        if (typeof metrics !== 'object') continue;
        const labels = {
          namespace: projectNamespace(w.project),
          workload: w.name,
          model_name: metrics.deployment.model.id,
        };
        const g = metrics.gauges;
        running.set(labels, g.running);
        waiting.set(labels, g.waiting);
        kv.set(labels, g.kvUsage);
        gpuCache.set(labels, g.kvUsage);
        success.inc(labels, g.completed);
        prompt.inc(labels, g.promptTokens);
        generation.inc(labels, g.generationTokens);
        preemptions.inc(labels, g.preemptions);
        ttft.series.push({ labels, counts: g.ttft });
        e2el.series.push({ labels, counts: g.e2el });
      }
    };
  }
}
