/** GET /metrics over a real port, read back with a Prometheus text-format parser. */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_ID, PROJECT, TOKENS, creation, startLwsim, type LwsimServer } from './lwsim-server.ts';

const DI = '/api/v1/workloads/distributed-inferences';
let server: LwsimServer;

interface Family {
  name: string;
  type: string;
  metrics: { labels?: Record<string, string>; value?: string; buckets?: Record<string, string>; count?: string }[];
}

let lastText = '';
const scrape = async (): Promise<Map<string, Family>> => {
  const r = await server.call('GET', '/metrics', undefined, TOKENS.admin);
  expect(r.status).toBe(200);
  expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  lastText = r.text;
  const families = parsePrometheusTextFormat(r.text) as Family[];
  return new Map(families.map((f) => [f.name, f]));
};

const value = (family: Family | undefined, labels: Record<string, string>): number => {
  const m = family?.metrics.find((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v));
  return m === undefined ? NaN : Number(m.value);
};

beforeAll(async () => {
  server = await startLwsim({
    traffic: `traffic:
  - { workload: chat, model: llama-3.1-8b, gpu: H100-SXM-80GB, rate: 4, inputTokens: 256, outputTokens: 64 }
`,
  });
  await server.call('POST', DI, creation('big', { workers: 1, gpus: 4 }));
  await server.call('POST', DI, creation('waits', { workers: 3, gpus: 8, projectId: PROJECT.chat }));
  const chat = {
    name: 'chat',
    projectId: PROJECT.serving,
    clusterId: CLUSTER_ID,
    spec: { leader: { image: 'vllm/vllm-openai:latest', compute: { gpuDevicesRequest: 1 } }, replicas: 1 },
  };
  await server.call('POST', DI, chat);
  await server.advance(300);
});
afterAll(async () => server.close());

describe('GET /metrics', () => {
  it("gives KAI's queue metrics per node pool and the pending pod groups by reason", async () => {
    const families = await scrape();
    const allocated = families.get('kai_queue_allocated_gpus')!;
    expect(allocated.type).toBe('GAUGE');
    expect(value(allocated, { queue_name: 'serving', queue_kind: 'project', nodepool: 'h100' })).toBe(9);
    expect(value(families.get('kai_queue_deserved_gpus'), { queue_name: 'serving', nodepool: 'h100' })).toBe(16);
    expect(value(families.get('kai_queue_limit_gpus'), { queue_name: 'serving', nodepool: 'h100' })).toBe(-1);
    expect(families.get('kai_queue_fair_share_gpu')!.metrics.length).toBeGreaterThan(0);
    // waits asks 32 GPUs of project chat, whose quota is 8: non-preemptible work over quota waits.
    const pending = families.get('kai_pending_pod_groups')!;
    expect(pending.metrics.map((m) => m.labels?.queue_name)).toEqual(['chat']);
    const cycles = families.get('kai_e2e_scheduling_latency_milliseconds')!;
    expect(cycles.type).toBe('HISTOGRAM');
    expect(families.get('kai_pod_group_evictions_total')!.type).toBe('COUNTER');
  });

  it("gives kube-state-metrics' nodes and pods", async () => {
    const families = await scrape();
    const condition = families.get('kube_node_status_condition')!;
    expect(condition.metrics.filter((m) => m.labels?.status === 'true' && m.value === '1')).toHaveLength(6);
    expect(value(families.get('kube_node_status_allocatable'), { node: 'h100-0', resource: 'nvidia_com_gpu' })).toBe(8);
    const phases = families.get('kube_pod_status_phase')!.metrics;
    expect(phases.filter((m) => m.labels?.phase === 'Running')).toHaveLength(3);
    expect(phases.filter((m) => m.labels?.phase === 'Pending')).toHaveLength(4);
    const requests = families.get('kube_pod_container_resource_requests')!.metrics;
    expect(requests.reduce((sum, m) => sum + Number(m.value), 0)).toBe(9);
  });

  it("gives vLLM's own metric names for a workload with traffic, histograms included", async () => {
    const families = await scrape();
    const labels = { namespace: 'runai-serving', workload: 'chat', model_name: 'llama-3.1-8b' };
    expect(value(families.get('vllm:num_requests_running'), labels)).toBeGreaterThanOrEqual(0);
    const kv = value(families.get('vllm:kv_cache_usage_perc'), labels);
    expect(kv).toBeGreaterThanOrEqual(0);
    expect(kv).toBeLessThanOrEqual(1);
    const success = value(families.get('vllm:request_success_total'), labels);
    expect(success).toBeGreaterThan(500);
    const ttft = families.get('vllm:time_to_first_token_seconds')!;
    expect(ttft.type).toBe('HISTOGRAM');
    // The parser folds a histogram's label sets into one; there is one here, and its lines carry the labels.
    const series = ttft.metrics[0]!;
    expect(Number(series.buckets!['+Inf'])).toBe(success);
    const labelText = 'namespace="runai-serving",workload="chat",model_name="llama-3.1-8b"';
    expect(lastText).toContain(`vllm:time_to_first_token_seconds_count{${labelText}} ${success}`);
    expect(lastText).toContain(`vllm:e2e_request_latency_seconds_bucket{${labelText},le="0.3"}`);
    const buckets = Object.entries(series.buckets!)
      .map(([le, n]) => [Number(le), Number(n)] as const)
      .sort((a, b) => a[0] - b[0]);
    expect(buckets.map(([le]) => le)).toContain(0.001);
    // Cumulative: never decreasing.
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]![1]).toBeGreaterThanOrEqual(buckets[i - 1]![1]);
    const later = await (async () => {
      await server.advance(60);
      return value((await scrape()).get('vllm:request_success_total'), labels);
    })();
    expect(later).toBeGreaterThan(success);
  });

  it('is for administrators', async () => {
    expect((await server.call('GET', '/metrics', undefined, null)).status).toBe(401);
    const dev = await server.call('GET', '/metrics', undefined, TOKENS.dev);
    expect(dev.status).toBe(403);
    expect(dev.body.message).toMatch(/administrators/);
    expect((await server.call('POST', '/metrics', {}, TOKENS.admin)).status).toBe(405);
  });
});
