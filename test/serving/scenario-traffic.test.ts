import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replay } from '../../sim/scenario/replay.ts';
import type { ServingReport } from '../../sim/scenario/report.ts';
import { renderHtml } from '../../src/report/html.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { fileLines } from '../../src/serving/trace-file.ts';

const AZURE = new URL('../../data/traces/AzureLLMInferenceTrace_code.csv', import.meta.url).pathname;

/** Two 8-GPU nodes, one served workload of two TP-4 groups; the node holding them fails for 10 minutes. */
function scenario(traffic: string, extra = ''): string {
  return `name: served
until: 1h
sample: 1m
cluster:
  name: c
  nodePools:
    - name: gpu
      nodes: [{ count: 2, gpu: { model: H100-SXM-80GB, count: 8 }, cpu: 96, memory: 1Ti }]
  departments: [{ name: d, quota: { gpu: { deserved: 16 } }, projects: [{ name: p, quota: { gpu: { deserved: 16 } } }] }]
timeline:
  - at: 0s
    create:
      name: chat
      projectId: p
      spec:
        replicas: 2
        leader: { image: vllm/vllm-openai:latest, compute: { gpuDevicesRequest: 4 } }
    traffic: ${traffic}
  - { at: 20m, fault: { node: gpu-0, ready: false } }
  - { at: 30m, fault: { node: gpu-0, ready: true } }
${extra}`;
}

async function load(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'lwsim-traffic-'));
  writeFileSync(join(dir, 's.yaml'), text);
  return loadScenarioFile(join(dir, 's.yaml'));
}

async function served(traffic: string): Promise<ServingReport> {
  const loaded = await load(scenario(traffic));
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const { report } = replay(loaded.scenario, { traceLines: fileLines });
  expect(report.serving).toHaveLength(1);
  return report.serving![0]!;
}

const LOAD = '{ model: llama-3.1-8b, rate: 4, inputTokens: 512, outputTokens: 128, slo: { ttft: 500 } }';

describe('a scenario workload with traffic', () => {
  it('is served by the groups the cluster gives it: the fault takes replicas away, the gateway retries', async () => {
    const s = await served(LOAD);
    expect(s.deployment).toEqual({
      model: 'llama-3.1-8b',
      gpu: 'H100-SXM-80GB',
      tp: 4,
      pp: 1,
      engine: 'vllm',
      dtype: 'bf16',
    });
    // Up twice at the start, down (at least one) at the fault, up again after.
    expect(s.replicaChanges).toBeGreaterThanOrEqual(4);
    const x = s.lwsim;
    expect(s.result.completed! + x.failed + x.rejected + x.inFlight).toBe(x.issued);
    expect(x.issued).toBe(4 * 3600);
    expect(x.failed + x.retried).toBeGreaterThan(0);
    // Requests sent before the first group was Ready waited for it: TTFT's maximum spans the start-up.
    expect(s.result.p99_ttft_ms).toBeLessThan(s.result.mean_ttft_ms! * 50);
    expect(x.series!.replicas).toHaveLength(2);
    expect(Math.min(...x.series!.replicas.map((r) => Math.min(...r.up)))).toBe(0);
  });

  it('fails what is lost under onReplicaLoss: fail, and retries nothing', async () => {
    const s = await served(LOAD.replace('rate: 4', 'rate: 4, onReplicaLoss: fail'));
    expect(s.lwsim.retried).toBe(0);
    expect(s.lwsim.failed).toBeGreaterThan(0);
    expect(s.onReplicaLoss).toBe('fail');
  });

  it('replays a trace through the workload (read by the caller), deterministically', async () => {
    const traffic = `{ model: llama-3.1-8b, trace: { file: ${AZURE}, format: azure } }`;
    const a = await served(traffic);
    expect(a.lwsim.issued).toBeGreaterThan(8000);
    expect(JSON.stringify(await served(traffic))).toBe(JSON.stringify(a));
  });

  it('adds a serving section, with its charts, to the Markdown and HTML reports', async () => {
    const loaded = await load(scenario(LOAD));
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const { report } = replay(loaded.scenario);
    const full = { ...report, run: { wallSeconds: 1, eventsPerSecond: 1, workloadsPerSecond: 1 } };
    const md = renderMarkdown(full);
    expect(md).toMatch(/## Serving/);
    expect(md).toMatch(/llama-3\.1-8b bf16 on H100-SXM-80GB, TP 4, vllm/);
    expect(md).toMatch(/\| TTFT +\|/);
    const html = await renderHtml(full);
    expect(html).toContain('id="chart-serving-0-latency"');
    expect(html).toContain('id="chart-serving-0-throughput"');
  });

  it.each([
    [LOAD.replace('llama-3.1-8b', 'llama-9'), /traffic.*unknown model "llama-9"/],
    [LOAD.replace('llama-3.1-8b', 'llama-3.1-405b'), /traffic.*GiB/],
    [LOAD.replace('rate: 4', 'rate: 4, router: random'), /unknown router "random"/],
    [LOAD.replace('rate: 4', 'rate: 4, ramp: { strategy: linear, from: 1, to: 5 }'), /a rate or a ramp, not both/],
    [LOAD.replace('inputTokens: 512, ', ''), /inputTokens: needed without a trace/],
    ['{ model: llama-3.1-8b, trace: { file: nowhere.csv, format: azure } }', /no such file .*nowhere\.csv/],
    ['{ model: llama-3.1-8b, trace: { file: x.csv, format: azure }, rate: 3 }', /a trace sets arrivals/],
    [LOAD.replace('model: llama-3.1-8b', 'model: llama-3.1-8b, gpu: B200'), /no node of the cluster has B200 GPUs/],
    [LOAD.replace('rate: 4', 'rate: -4'), /rate/],
  ])('refuses traffic %s with a located message', async (traffic, message) => {
    const loaded = await load(scenario(traffic));
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.errors.join('\n')).toMatch(message);
    expect(loaded.errors.join('\n')).toMatch(/s\.yaml:\d+/);
  });

  it('refuses traffic on anything but a create, and fractional GPUs', async () => {
    const patch = await load(scenario(LOAD, `  - { at: 40m, patch: { name: chat, replicas: 1 }, traffic: ${LOAD} }\n`));
    expect(!patch.ok && patch.errors.join('\n')).toMatch(/traffic rides on a create/);
    const fraction = await load(scenario(LOAD).replace('gpuDevicesRequest: 4', 'gpuPortion: 0.5'));
    expect(!fraction.ok && fraction.errors.join('\n')).toMatch(/traffic needs whole GPUs/);
  });
});
