import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatConfigError } from '../../sim/config/source-document.ts';
import { buildCluster, GIB, GPU_CATALOG, resolveLocalPools } from '../../sim/cluster/index.ts';
import { seconds } from '../../sim/engine/index.ts';
import { DEFAULT_SCHEDULER_CONFIG } from '../../sim/scheduler/index.ts';
import { DEFAULT_DELAYS } from '../../sim/workloads/delays.ts';
import { parseClusterText } from '../../src/config/cluster-document.ts';
import { nodes } from '../support/clusters.ts';

const DEFAULT = new URL('../../scenarios/clusters/default.yaml', import.meta.url);

function errorsOf(text: string): string[] {
  const result = parseClusterText('bad.yaml', text);
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.errors.map(formatConfigError);
}

const base = `name: c1
topology:
  levels: [rack]
nodePools:
  - name: p1
    nodes:
      - count: 2
        gpu: { model: H100-SXM-80GB, count: 8 }
        cpu: 96
        memory: 1Ti
`;

describe('cluster files', () => {
  it('parses the shipped default cluster and fills the local pool from a machine', () => {
    const result = parseClusterText('default.yaml', readFileSync(DEFAULT, 'utf8'));
    if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
    expect(result.document.spec.nodePools.map((p) => p.name)).toEqual(['h100', 'a100', 'local']);
    expect(result.document.spec.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const spec = resolveLocalPools(
      result.document.spec,
      nodes(1, { gpu: { model: 'cpu', count: 1, memoryBytes: 16 * GIB }, namePrefix: 'local-' }),
    );
    const built = buildCluster(spec);
    if (!built.ok) throw new Error(JSON.stringify(built.errors));
    const { layout } = built.cluster;
    expect(layout.poolByName('h100')!.gpuCount).toBe(64);
    expect(layout.domains.filter((d) => d.pool === 0 && d.level === 1)).toHaveLength(2);
    expect(layout.poolByName('local')!.nodes).toHaveLength(1);
    expect(layout.nodeByName('local-0')!.gpuModel).toBe('cpu');
    expect(spec.departments.map((d) => [d.name, d.projects.map((p) => p.name)])).toEqual([
      ['research', ['llm-serving', 'training']],
      ['product', ['chat', 'eval', 'sandbox']],
    ]);
    expect(spec.departments[0]!.projects[1]!.quotas.h100).toEqual({ deserved: 16, limit: 48 });
  });

  it('reads a node set’s scale-out network over the 400 Gb/s default, and FP8/FP4 figures of a GPU type', () => {
    const text = `${base.replace('memory: 1Ti', 'memory: 1Ti\n        network: { bandwidthGbps: 200 }')}gpuTypes:\n  H100-SXM-80GB: { fp8Tflops: 1900 }\n`;
    const result = parseClusterText('net.yaml', text);
    if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
    const pool = result.document.spec.nodePools[0]!;
    expect('nodes' in pool && pool.nodes[0]!.network).toEqual({ bandwidthGbps: 200, latencyMicros: 5 });
    expect(result.document.spec.gpuTypes['H100-SXM-80GB']).toMatchObject({ fp8Tflops: 1900, bf16Tflops: 989.4 });
    expect(result.document.spec.gpuTypes['B200-SXM-180GB']).toMatchObject({ fp4Tflops: 9000 });
  });

  it('normalises quantities and defaults', () => {
    const result = parseClusterText('ok.yaml', base);
    if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
    const set = result.document.spec.nodePools[0]!;
    expect('nodes' in set && set.nodes[0]).toMatchObject({
      cpuMillis: 96_000,
      memoryBytes: 2 ** 40,
      labels: {},
      taints: [],
      topology: {},
    });
    expect(set.placement).toBe('binpack');
    expect(result.document.spec.topologyLevels).toEqual([{ name: 'rack', label: 'lwsim.io/topology.rack' }]);
  });

  it.each(['random', 'dotprod', 'gpu-clustering', 'gpu-packing', 'bestfit', 'fgd'])(
    'accepts the FGD policy %s as a pool placement',
    (placement) => {
      const result = parseClusterText(
        'p.yaml',
        base.replace('  - name: p1\n', `  - name: p1\n    placement: ${placement}\n`),
      );
      if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
      expect(result.document.spec.nodePools[0]!.placement).toBe(placement);
    },
  );

  it('keeps the API users and the serving model size out of the cluster spec, in the server config', () => {
    const result = parseClusterText('default.yaml', readFileSync(DEFAULT, 'utf8'));
    if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
    const { spec, server, scheduler, delays } = result.document;
    expect(Object.keys(spec)).not.toContain('users');
    expect(Object.keys(spec)).not.toContain('serving');
    expect(server.users.map((u) => [u.email, u.projects, u.admin])).toEqual([
      ['dev@lwsim.local', 'all', true],
      ['chat-team@lwsim.local', ['chat', 'eval'], false],
    ]);
    expect(server.modelSize).toBe('tiny');
    // A file without the blocks runs as lwsim always has.
    expect(scheduler).toEqual(DEFAULT_SCHEDULER_CONFIG);
    expect(delays).toEqual(DEFAULT_DELAYS);
    expect(spec.gpuTypes).toEqual(GPU_CATALOG);
  });

  it("states the true defaults in the default cluster file's commented blocks", () => {
    const text = readFileSync(DEFAULT, 'utf8').replace(/^# ((?:gpuTypes|scheduler|delays):.*| {2}.*)$/gm, '$1');
    const result = parseClusterText('default.yaml', text);
    if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
    expect(result.document.spec.gpuTypes.A10).toMatchObject({ memoryGiB: 24, interconnect: 'PCIe Gen4' });
    expect(result.document.scheduler).toEqual(DEFAULT_SCHEDULER_CONFIG);
    expect(result.document.delays).toEqual(DEFAULT_DELAYS);
  });

  it('declares GPU types beside the catalog, overrides catalog figures, and gives nodes their memory', () => {
    const text = `${base.replace('count: 2\n', 'count: 2\n        namePrefix: h-\n')}      - count: 1
        namePrefix: t-
        gpu: { model: T4, count: 4 }
        cpu: 32
        memory: 256Gi
gpuTypes:
  T4: { memoryGiB: 16, bf16Tflops: null, memoryBandwidthTBs: 0.32, interconnect: PCIe Gen3 }
  H100-SXM-80GB: { memoryBandwidthTBs: 3.0, nvlinkGBs: null }
`;
    const result = parseClusterText('ok.yaml', text);
    if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
    const { gpuTypes } = result.document.spec;
    expect(gpuTypes.T4).toEqual({
      id: 'T4',
      memoryGiB: 16,
      bf16Tflops: null,
      fp8Tflops: null,
      fp4Tflops: null,
      memoryBandwidthTBs: 0.32,
      nvlinkGBs: null,
      interconnect: 'PCIe Gen3',
      source: 'the cluster file',
    });
    expect(gpuTypes['H100-SXM-80GB']).toMatchObject({
      memoryGiB: 80,
      bf16Tflops: 989.4,
      memoryBandwidthTBs: 3.0,
      nvlinkGBs: null,
      interconnect: 'NVLink',
    });
    expect(gpuTypes['A100-SXM-80GB']).toEqual(GPU_CATALOG['A100-SXM-80GB']);
    const built = buildCluster(resolveLocalPools(result.document.spec, nodes(1)));
    if (!built.ok) throw new Error(JSON.stringify(built.errors));
    const t4 = built.cluster.layout.nodeByName('t-2')!;
    expect([t4.gpuModel, t4.gpuMemoryBytes, t4.labels['nvidia.com/gpu.product']]).toEqual(['T4', 16 * GIB, 'T4']);
  });

  it('reads the scheduler and delays blocks over the defaults', () => {
    const text = `${base}scheduler:
  period: 500ms
  actions: [allocate, preempt]
  search: { preferredDomainScan: 64 }
delays:
  modelLoad: { median: 30s, p90: 1m }
  termination: { median: 1s }
`;
    const result = parseClusterText('ok.yaml', text);
    if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
    expect(result.document.scheduler).toEqual({
      period: seconds(0.5),
      actions: ['allocate', 'preempt'],
      preferredDomainTries: DEFAULT_SCHEDULER_CONFIG.preferredDomainTries,
      preferredDomainScan: 64,
    });
    expect(result.document.delays).toEqual({
      ...DEFAULT_DELAYS,
      modelLoad: { median: 30, p90: 60 },
      termination: { median: 1, p90: 1 },
    });
  });

  it.each([
    ['broken YAML', 'name: [unclosed\n', /^bad\.yaml:\d+:\d+: /],
    ['a missing field', base.replace('name: c1\n', ''), /bad\.yaml:1:1: missing required field "name"/],
    ['an unknown field', `${base}extra: 1\n`, /bad\.yaml:11:1: extra: unknown field "extra"/],
    [
      'a negative count',
      base.replace('count: 2', 'count: -2'),
      /bad\.yaml:7:16: nodePools\[0\]\.nodes\[0\]\.count: must be >= 1/,
    ],
    [
      'an unknown GPU model',
      base.replace('H100-SXM-80GB', 'B200'),
      /bad\.yaml:8:23: nodePools\[0\]\.nodes\[0\]\.gpu\.model: unknown GPU type "B200": declare it under gpuTypes \(known: A100-SXM-80GB, /,
    ],
    [
      'a bad memory quantity',
      base.replace('memory: 1Ti', 'memory: lots'),
      /bad\.yaml:10:17: nodePools\[0\]\.nodes\[0\]\.memory: "lots" is not a memory quantity/,
    ],
    [
      'a bad CPU quantity',
      base.replace('cpu: 96', 'cpu: 9x'),
      /bad\.yaml:9:14: nodePools\[0\]\.nodes\[0\]\.cpu: "9x" is not a CPU quantity/,
    ],
    [
      'an unknown topology level',
      base.replace('memory: 1Ti', 'memory: 1Ti\n        topology: { row: 2 }'),
      /nodePools\[0\]\.nodes\[0\]\.topology\.row: unknown topology level "row" \(known levels: rack\)/,
    ],
    [
      'a zero fan-out',
      base.replace('memory: 1Ti', 'memory: 1Ti\n        topology: { rack: 0 }'),
      /topology\.rack: must be >= 1/,
    ],
    [
      'a duplicate pool',
      base.replace(/nodePools:\n/, 'nodePools:\n  - name: p1\n    local: true\n'),
      /nodePools\[1\]\.name: node pool "p1" is defined twice/,
    ],
    [
      'a bad taint effect',
      base.replace('memory: 1Ti', 'memory: 1Ti\n        taints: [{ key: k, effect: Sometimes }]'),
      /taints\[0\]\.effect: must be one of "NoSchedule"/,
    ],
    ['a bad cluster id', `${base}clusterId: not-a-uuid\n`, /clusterId: must match pattern/],
    [
      'a pool with neither nodes nor local',
      'name: c\nnodePools:\n  - name: p\n',
      /nodePools\[0\]: missing required field "nodes" \(or set "local: true"\)/,
    ],
    [
      'a local pool with nodes',
      base.replace('  - name: p1\n', '  - name: p1\n    local: true\n'),
      /nodePools\[0\]\.nodes: a local pool takes its nodes from this machine/,
    ],
    [
      'duplicate node names',
      `${base}  - name: p2\n    nodes:\n      - count: 1\n        namePrefix: p1-\n        cpu: 1\n        memory: 1Gi\n`,
      /bad\.yaml:13:9: nodePools\[1\]\.nodes\[0\]: node name "p1-0" is used twice/,
    ],
    ['a duplicate key', 'name: a\nname: b\nnodePools: []\n', /bad\.yaml:2:1: .*[Mm]ap keys must be unique/],
    ['an empty file', '', /must be object/],
    [
      'a quota for an unknown pool',
      `${base}departments:\n  - name: d\n    projects:\n      - name: p\n        quota: { h200: { deserved: 1 } }\n`,
      /bad\.yaml:15:\d+: departments\[0\]\.projects\[0\]\.quota\.h200: unknown node pool "h200" \(pools: p1\)/,
    ],
    [
      'a limit below deserved',
      `${base}departments:\n  - name: d\n    quota: { p1: { deserved: 4, limit: 2 } }\n    projects: []\n`,
      /departments\[0\]\.quota\.p1\.limit: limit 2 is below deserved 4/,
    ],
    [
      'a duplicate project',
      `${base}departments:\n  - name: d\n    projects: [{ name: p }]\n  - name: e\n    projects: [{ name: p }]\n`,
      /departments\[1\]\.projects\[0\]\.name: project "p" is defined twice/,
    ],
    [
      'a negative deserved quota',
      `${base}departments:\n  - name: d\n    quota: { p1: { deserved: -1 } }\n    projects: []\n`,
      /departments\[0\]\.quota\.p1\.deserved: must be >= 0/,
    ],
    [
      'an unknown GPU type in a declared table',
      `${base}gpuTypes:\n  T4: { memoryGiB: 16 }\n`.replace('H100-SXM-80GB', 'V100'),
      /bad\.yaml:8:23: nodePools\[0\]\.nodes\[0\]\.gpu\.model: unknown GPU type "V100": declare it under gpuTypes \(known: .*, cpu, T4\)/,
    ],
    [
      'a negative GPU figure',
      `${base}gpuTypes:\n  T4: { memoryGiB: 16, bf16Tflops: -65 }\n`,
      /bad\.yaml:12:36: gpuTypes\.T4\.bf16Tflops: must be > 0/,
    ],
    [
      'a GPU figure that is not a number',
      `${base}gpuTypes:\n  T4: { memoryGiB: 16, memoryBandwidthTBs: fast }\n`,
      /gpuTypes\.T4\.memoryBandwidthTBs: must be number,null/,
    ],
    [
      'a new GPU type without memory',
      `${base}gpuTypes:\n  T4: { bf16Tflops: 65 }\n`,
      /bad\.yaml:12:7: gpuTypes\.T4: missing required field "memoryGiB" \(GPU type "T4" is not in the catalog\)/,
    ],
    [
      'a GPU type name that is no label value',
      `${base}gpuTypes:\n  "T4 PCIe": { memoryGiB: 16 }\n`,
      /bad\.yaml:12:3: gpuTypes\.T4 PCIe: GPU type name "T4 PCIe" must be a label value/,
    ],
    [
      'a scale-out network without bandwidth',
      base.replace('memory: 1Ti', 'memory: 1Ti\n        network: { bandwidthGbps: 0 }'),
      /nodePools\[0\]\.nodes\[0\]\.network\.bandwidthGbps: must be > 0/,
    ],
    [
      'an unknown network field',
      base.replace('memory: 1Ti', 'memory: 1Ti\n        network: { gbps: 100 }'),
      /bad\.yaml:11:20: nodePools\[0\]\.nodes\[0\]\.network\.gbps: unknown field "gbps"/,
    ],
    [
      'an unknown interconnect',
      `${base}gpuTypes:\n  T4: { memoryGiB: 16, interconnect: carrier-pigeon }\n`,
      /gpuTypes\.T4\.interconnect: must be one of "NVLink", "PCIe Gen3"/,
    ],
    [
      'an unknown scheduler action',
      `${base}scheduler:\n  actions: [allocate, consolidate]\n`,
      /bad\.yaml:12:23: scheduler\.actions\[1\]: unknown action "consolidate" \(actions: allocate, reclaim, preempt\)/,
    ],
    [
      'a scheduler action listed twice',
      `${base}scheduler:\n  actions: [allocate, reclaim, allocate]\n`,
      /scheduler\.actions\[2\]: action "allocate" is listed twice/,
    ],
    [
      'no scheduler action',
      `${base}scheduler:\n  actions: []\n`,
      /scheduler\.actions: must NOT have fewer than 1 items/,
    ],
    [
      'a negative cycle period',
      `${base}scheduler:\n  period: -1\n`,
      /bad\.yaml:12:11: scheduler\.period: a duration must be a non-negative number of seconds, got -1/,
    ],
    ['a zero cycle period', `${base}scheduler:\n  period: 0s\n`, /scheduler\.period: must be longer than 0/],
    [
      'a zero search budget',
      `${base}scheduler:\n  search: { preferredDomainTries: 0 }\n`,
      /scheduler\.search\.preferredDomainTries: must be >= 1/,
    ],
    ['an unknown scheduler field', `${base}scheduler:\n  cadence: 1s\n`, /scheduler\.cadence: unknown field "cadence"/],
    [
      'a p90 below the median',
      `${base}delays:\n  modelLoad: { median: 2m, p90: 1m }\n`,
      /bad\.yaml:12:33: delays\.modelLoad\.p90: must not be below the median/,
    ],
    [
      'a bad delay',
      `${base}delays:\n  imagePull: { median: soon }\n`,
      /delays\.imagePull\.median: "soon" is not a duration/,
    ],
    ['an unknown delay', `${base}delays:\n  warmUp: { median: 1s }\n`, /delays\.warmUp: unknown field "warmUp"/],
    [
      'a user of an unknown project',
      `${base}users:\n  - { email: a@b.c, token: aaaaaaaaaaaaaaaaaaaa, projects: [ghost] }\n`,
      /bad\.yaml:12:61: users\[0\]\.projects\[0\]: unknown project "ghost"/,
    ],
    [
      'two users with one token',
      `${base}users:\n  - { email: a@b.c, token: aaaaaaaaaaaaaaaaaaaa }\n  - { email: d@e.f, token: aaaaaaaaaaaaaaaaaaaa }\n`,
      /users\[1\]\.token: this token is already given to another user/,
    ],
    [
      'an unknown serving model size',
      `${base}serving: { modelSize: huge }\n`,
      /serving\.modelSize: must be one of "tiny"/,
    ],
    [
      'an unknown placement policy',
      base.replace('  - name: p1\n', '  - name: p1\n    placement: tetris\n'),
      /^bad\.yaml:6:16: nodePools\[0\]\.placement: must be one of "binpack", "spread", "random", "dotprod", "gpu-clustering", "gpu-packing", "bestfit", "fgd"$/,
    ],
    [
      'errors of every block, in document order',
      `${base}scheduler: { period: soon }\nusers: [{ email: x }]\n`.replace('count: 2', 'count: 0'),
      /^bad\.yaml:7:16: nodePools.*\nbad\.yaml:11:22: scheduler\.period: .*\nbad\.yaml:12:9: users\[0\]: missing required field "token"/,
    ],
  ])('rejects %s with the file, line and path', (_, text, expected) => {
    const errors = errorsOf(text);
    expect(errors.join('\n')).toMatch(expected);
  });
});
