import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seconds } from '../../sim/engine/index.ts';
import { replay } from '../../sim/scenario/replay.ts';
import { DEFAULT_SCHEDULER_CONFIG } from '../../sim/scheduler/index.ts';
import { DEFAULT_DELAYS } from '../../sim/workloads/delays.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';

const SCENARIOS = new URL('../../scenarios/', import.meta.url).pathname;

async function load(file: string, seed?: number) {
  const loaded = await loadScenarioFile(file, seed === undefined ? {} : { seed });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.scenario;
}

describe('scenario replay', () => {
  it('is byte-identical for the same file and seed, and differs for another seed', async () => {
    const a = JSON.stringify(replay(await load(join(SCENARIOS, 'demo.yaml'))).report);
    const b = JSON.stringify(replay(await load(join(SCENARIOS, 'demo.yaml'))).report);
    const c = JSON.stringify(replay(await load(join(SCENARIOS, 'demo.yaml'), 8)).report);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('tells the demo story: reclaim of over-quota training, a scale-up that waits on quota, a node fault', async () => {
    const { report } = replay(await load(join(SCENARIOS, 'demo.yaml')));
    const by = (name: string) => report.workloads.find((w) => w.name === name)!;
    expect(by('pretrain')).toMatchObject({ kind: 'training', gpus: 32, preemptions: 1 });
    expect(by('llama-70b')).toMatchObject({ kind: 'inference', project: 'llm-serving', finalPhase: 'Running' });
    expect(report.events).toMatchObject({ 'gangs reclaimed': 3, node: 2, scale: 2 });
    expect(report.events['jobs completed']).toBeGreaterThan(10);
    expect(report.summary.workloads).toBe(53);
    // By project: training lost what chat reclaimed; llm-serving waited on its quota.
    const project = (name: string) => report.projects.find((p) => p.project === name)!;
    expect(project('training').evicted.reclaimed).toBe(report.events['gangs reclaimed']);
    expect(project('chat').evicting.reclaimed).toBe(report.events['gangs reclaimed']);
    expect(project('llm-serving').pendingGangHours.NonPreemptibleOverQuota).toBeGreaterThan(1);
    expect(report.gpu.overall.capacity).toBe(64);
    expect(report.gpu.overall.peakAllocated).toBe(64);
    expect(report.series.t).toHaveLength(12 * 12 + 1);
    expect(Object.keys(report.series.allocatedByProject)).toEqual(['llm-serving', 'training', 'chat']);
    // A sample never shows more allocated than there is.
    for (const [i] of report.series.t.entries())
      expect(report.series.allocatedByPool.h100![i]!).toBeLessThanOrEqual(64);
  });

  it('loads the shipped scenarios', async () => {
    for (const name of ['default.yaml', 'demo.yaml', 'scale-5k.yaml', 'scale-5k-contended.yaml', 'scale-50k.yaml']) {
      const scenario = await load(join(SCENARIOS, name));
      expect(scenario.steps.length).toBeGreaterThan(0);
    }
    const scale = await load(join(SCENARIOS, 'scale-5k.yaml'));
    expect(scale.steps.filter((s) => s.command.type === 'create')).toHaveLength(18_000);
    expect(scale.until).toBe(30 * 86_400 * 1e6);
  });
});

describe('node faults', () => {
  it('fail nodes that are up, one at a time each, and bring every one back after its repair', async () => {
    const scenario = await load(join(SCENARIOS, 'scale-5k-contended.yaml'));
    const faults = scenario.steps.filter((s) => s.command.type === 'node');
    // About one failure every 2 hours for 30 days.
    expect(faults.length / 2).toBeGreaterThan(300);
    expect(faults.length / 2).toBeLessThan(420);
    const down = new Set<string>();
    for (const step of faults) {
      if (step.command.type !== 'node') continue;
      if (step.command.ready) expect(down.delete(step.command.node)).toBe(true);
      else {
        expect(down.has(step.command.node)).toBe(false);
        down.add(step.command.node);
      }
    }
    const again = await load(join(SCENARIOS, 'scale-5k-contended.yaml'));
    expect(again.steps.filter((s) => s.command.type === 'node')).toEqual(faults);
  });
});

describe('the cluster file behind a scenario', () => {
  it("gives its scheduler config and delays; the scenario's own delays go over them key by key", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lwsim-scenario-'));
    writeFileSync(
      join(dir, 'cluster.yaml'),
      `name: c
nodePools:
  - name: gpu
    nodes: [{ count: 1, gpu: { model: H100-SXM-80GB, count: 8 }, cpu: 96, memory: 1Ti }]
departments: [{ name: d, projects: [{ name: p }] }]
scheduler: { period: 5s, actions: [allocate] }
delays:
  imagePull: { median: 1s, p90: 2s }
  modelLoad: { median: 10s, p90: 20s }
`,
    );
    writeFileSync(
      join(dir, 's.yaml'),
      `name: s
until: 1h
cluster: cluster.yaml
delays:
  modelLoad: { median: 1m, p90: 2m }
timeline:
  - { at: 0s, train: { name: t, project: p, gpus: 8, duration: 10m } }
`,
    );
    const scenario = await load(join(dir, 's.yaml'));
    expect(scenario.scheduler).toEqual({ ...DEFAULT_SCHEDULER_CONFIG, period: seconds(5), actions: ['allocate'] });
    expect(scenario.delays).toEqual({
      ...DEFAULT_DELAYS,
      imagePull: { median: 1, p90: 2 },
      modelLoad: { median: 60, p90: 120 },
    });
    // The replay schedules on the cluster file's period: the job waits for the first 5-second cycle.
    expect(replay(scenario).report.workloads[0]!.pendingSeconds).toBe(5);
  });
});

const base = `name: bad
until: 1h
cluster:
  name: c
  nodePools:
    - name: gpu
      nodes:
        - count: 2
          gpu: { model: H100-SXM-80GB, count: 8 }
          cpu: 96
          memory: 1Ti
  departments:
    - name: d
      projects: [{ name: p }]
`;

describe('bad scenario files', () => {
  it.each([
    ['an unknown field', `${base}colour: red\n`, /bad\.yaml:15:1: colour: unknown field "colour"/],
    ['a bad horizon', base.replace('until: 1h', 'until: soon'), /bad\.yaml:2:8: until: "soon" is not a duration/],
    [
      'a create body the API would refuse',
      `${base}timeline:\n  - at: 0s\n    create: { name: x, projectId: p, spec: { workers: -1, leader: {} } }\n`,
      /bad\.yaml:17:\d+: timeline\[0\]\.create\.spec\.workers: .*spec\.workers: must be >= 0/,
    ],
    [
      'a create in an unknown project',
      `${base}timeline:\n  - at: 0s\n    create: { name: x, projectId: ghost, spec: { leader: {} } }\n`,
      /timeline\[0\]\.create: projectId: no project with id ghost/,
    ],
    [
      'a step with two actions',
      `${base}timeline:\n  - at: 0s\n    delete: { name: x }\n    patch: { name: x, replicas: 1 }\n`,
      /timeline\[0\]: one verb per item, got delete, patch/,
    ],
    [
      'a training job in an unknown project',
      `${base}timeline:\n  - at: 1m\n    train: { name: t, project: q, gpus: 8, duration: 1h }\n`,
      /timeline\[0\]\.train\.project: unknown project "q"/,
    ],
    [
      'a generator with a bad kind',
      `${base}generators:\n  - { name: g, kind: batch, count: 1, every: 1m, project: p, gpus: 1 }\n`,
      /generators\[0\]\.kind: must be one of "inference", "training"/,
    ],
    [
      'a generator drawing an unknown project',
      `${base}generators:\n  - { name: g, kind: inference, count: 1, every: 1m, project: { p: 1, z: 2 }, gpus: 1 }\n`,
      /generators\[0\]\.project: unknown project "z"/,
    ],
    [
      'a training generator without a duration',
      `${base}generators:\n  - { name: g, kind: training, count: 1, every: 1m, project: p, gpus: 1 }\n`,
      /generators\[0\]\.duration: a training generator needs a duration/,
    ],
    [
      'faults in an unknown node pool',
      `${base}faults: { every: 1h, repair: { median: 1h, p90: 2h }, nodePools: [ghost] }\n`,
      /faults\.nodePools\[0\]: unknown node pool "ghost"/,
    ],
    [
      'faults without a repair time',
      `${base}faults: { every: 1h }\n`,
      /bad\.yaml:15:\d+: faults: missing required field "repair"/,
    ],
    [
      'a missing cluster file',
      base.replace(/cluster:[\s\S]*$/, 'cluster: nowhere.yaml\n'),
      /bad\.yaml:3:10: cluster: cannot read cluster file .*nowhere\.yaml: ENOENT/,
    ],
    [
      'an unknown scheduler action in an inline cluster',
      base.replace('  departments:', '  scheduler: { actions: [allocate, gang] }\n  departments:'),
      /bad\.yaml:12:\d+: cluster\.scheduler\.actions\[1\]: unknown action "gang"/,
    ],
    [
      'a bad cluster inline',
      base.replace('count: 2', 'count: 0'),
      /bad\.yaml:8:18: cluster\.nodePools\[0\]\.nodes\[0\]\.count: must be >= 1/,
    ],
  ])('rejects %s with the file, line and what is wrong', async (_, text, expected) => {
    const dir = mkdtempSync(join(tmpdir(), 'lwsim-scenario-'));
    writeFileSync(join(dir, 'bad.yaml'), text);
    const loaded = await loadScenarioFile(join(dir, 'bad.yaml'));
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.errors.join('\n')).toMatch(expected);
  });
});
