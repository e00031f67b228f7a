import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatConfigError } from '../../sim/config/source-document.ts';
import { buildCluster, GIB, parseClusterFile, resolveLocalPools } from '../../sim/cluster/index.ts';
import { nodes } from '../support/clusters.ts';

const DEFAULT = new URL('../../scenarios/clusters/default.yaml', import.meta.url);

function errorsOf(text: string): string[] {
  const result = parseClusterFile('bad.yaml', text);
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
    const result = parseClusterFile('default.yaml', readFileSync(DEFAULT, 'utf8'));
    if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
    expect(result.spec.nodePools.map((p) => p.name)).toEqual(['h100', 'a100', 'local']);
    expect(result.spec.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const spec = resolveLocalPools(
      result.spec,
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

  it('normalises quantities and defaults', () => {
    const result = parseClusterFile('ok.yaml', base);
    if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
    const set = result.spec.nodePools[0]!;
    expect('nodes' in set && set.nodes[0]).toMatchObject({
      cpuMillis: 96_000,
      memoryBytes: 2 ** 40,
      labels: {},
      taints: [],
      topology: {},
    });
    expect(set.placement).toBe('binpack');
    expect(result.spec.topologyLevels).toEqual([{ name: 'rack', label: 'lwsim.io/topology.rack' }]);
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
      /bad\.yaml:8:23: nodePools\[0\]\.nodes\[0\]\.gpu\.model: must be one of "A100-SXM-80GB"/,
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
  ])('rejects %s with the file, line and path', (_, text, expected) => {
    const errors = errorsOf(text);
    expect(errors.join('\n')).toMatch(expected);
  });
});
