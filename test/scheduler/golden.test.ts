/**
 * Golden tests in KAI-Scheduler's style: each case states the cluster, the queues and the jobs, and the exact
 * placements, evictions and pending reasons the scheduler must produce.
 */
import { describe, expect, it } from 'vitest';
import { nodes } from '../support/clusters.ts';
import { departments, runFixture } from '../support/scheduling.ts';

const oneProject = (deserved: Record<string, number> = { a: 100, b: 100 }) =>
  departments({ d: { deserved, projects: { p: { deserved } } } });

describe('gangs', () => {
  it('places a gang whole or not at all', () => {
    const out = runFixture({
      pools: { a: [nodes(2)] },
      departments: oneProject(),
      pending: [
        { id: 'big', project: 'p', pods: [8, 8, 8] },
        { id: 'fits', project: 'p', pods: [8, 8] },
      ],
    });
    expect(out.placements.big).toBe('pending');
    expect(new Set(out.placements.fits)).toEqual(new Set(['a-0', 'a-1']));
    expect(out.reasons.big).toBe(
      "node pool a: Resources were found for 2 pods while 3 are required for gang scheduling. Additional pods cannot be scheduled due to: 2 node(s) didn't have enough resources: GPUs.",
    );
  });

  it('names the pod that could not be placed when a single pod does not fit', () => {
    const out = runFixture({
      pools: { a: [nodes(1)] },
      departments: oneProject(),
      pending: [{ id: 'w', project: 'p', pods: [9] }],
    });
    expect(out.reasons.w).toBe(
      "node pool a: Resources were not found for pod w/leader due to: 1 node(s) didn't have enough resources: GPUs.",
    );
  });
});

describe('placement strategy', () => {
  it('bin-packs onto the fullest node that fits', () => {
    const out = runFixture({
      pools: { a: [nodes(3)] },
      departments: oneProject(),
      running: [
        { id: 'r1', project: 'p', pods: [6] },
        { id: 'r2', project: 'p', pods: [3] },
      ],
      pending: [
        { id: 'two', project: 'p', pods: [2] },
        { id: 'five', project: 'p', pods: [5] },
      ],
    });
    expect(out.placements).toMatchObject({ r1: ['a-0'], r2: ['a-1'], two: ['a-0'], five: ['a-1'] });
  });

  it('spreads onto the emptiest node in a spread pool', () => {
    const out = runFixture({
      pools: { a: [nodes(3)] },
      departments: oneProject(),
      running: [{ id: 'r1', project: 'p', pods: [6] }],
      pending: [
        { id: 'x', project: 'p', pods: [1] },
        { id: 'y', project: 'p', pods: [1] },
      ],
    });
    // Same cluster, spread: rebuild with the pool's placement switched.
    expect(out.placements.x).toEqual(['a-0']);
    const spread = runFixture({
      pools: { a: [nodes(3)] },
      departments: oneProject(),
      running: [{ id: 'r1', project: 'p', pods: [6] }],
      pending: [],
    });
    const cluster = spread.scheduler.cluster;
    (cluster.layout.pools[0] as { placement: string }).placement = 'spread';
    spread.scheduler.submit({ ...gangOf('x'), project: 'p' }, 10);
    spread.scheduler.submit({ ...gangOf('y'), project: 'p' }, 10);
    spread.scheduler.cycle(10);
    const names = ['x', 'y']
      .map((id) => cluster.layout.nodes[spread.scheduler.gang(id)!.bindings[0]!.node]!.name)
      .sort();
    expect(names).toEqual(['a-1', 'a-2']);
  });

  it('tries node pools in the order the workload lists them', () => {
    const out = runFixture({
      pools: { a: [nodes(1)], b: [nodes(1)] },
      departments: oneProject(),
      running: [{ id: 'fill-a', project: 'p', pods: [8], nodePools: ['a'] }],
      pending: [
        { id: 'prefers-b', project: 'p', pods: [1], nodePools: ['b', 'a'] },
        { id: 'a-then-b', project: 'p', pods: [4], nodePools: ['a', 'b'] },
        { id: 'only-a', project: 'p', pods: [1], nodePools: ['a'] },
      ],
    });
    expect(out.placements).toMatchObject({ 'prefers-b': ['b-0'], 'a-then-b': ['b-0'], 'only-a': 'pending' });
    expect(out.reasons['only-a']).toContain('node pool a: Resources were not found');
  });
});

describe('filters', () => {
  const labelled = {
    a: [
      nodes(1, { namePrefix: 'h100-', labels: { 'run.ai/type': 'h100', gen: '9', zone: 'east' } }),
      nodes(1, { namePrefix: 'a100-', labels: { 'run.ai/type': 'a100', gen: '8' } }),
      nodes(1, {
        namePrefix: 'tainted-',
        labels: { 'run.ai/type': 'h100', gen: '9' },
        taints: [{ key: 'dedicated', value: 'infer', effect: 'NoSchedule' }],
      }),
    ],
  };

  it('honours nodeType', () => {
    const out = runFixture({
      pools: labelled,
      departments: oneProject(),
      pending: [
        { id: 'a100', project: 'p', pods: [1], constraints: { nodeType: 'a100' } },
        { id: 'b200', project: 'p', pods: [1], constraints: { nodeType: 'b200' } },
      ],
    });
    expect(out.placements.a100).toEqual(['a100-1']);
    expect(out.placements.b200).toBe('pending');
    expect(out.reasons.b200).toBe(
      "node pool a: Resources were not found for pod b200/leader due to: 3 node(s) didn't match node type b200.",
    );
  });

  it.each([
    ['In', { key: 'gen', operator: 'In' as const, values: ['8'] }, ['a100-1']],
    ['NotIn', { key: 'gen', operator: 'NotIn' as const, values: ['9'] }, ['a100-1']],
    ['Exists', { key: 'zone', operator: 'Exists' as const }, ['h100-0']],
    ['DoesNotExist', { key: 'zone', operator: 'DoesNotExist' as const }, ['a100-1']],
    ['Gt', { key: 'gen', operator: 'Gt' as const, values: ['8'] }, ['h100-0']],
    ['Lt', { key: 'gen', operator: 'Lt' as const, values: ['9'] }, ['a100-1']],
  ])('matches node affinity with %s', (_, expression, expected) => {
    const out = runFixture({
      pools: labelled,
      departments: oneProject(),
      pending: [
        { id: 'j', project: 'p', pods: [1], constraints: { nodeAffinity: [{ matchExpressions: [expression] }] } },
      ],
    });
    expect(out.placements.j).toEqual(expected);
  });

  it('keeps pods off tainted nodes unless they tolerate the taint', () => {
    const out = runFixture({
      pools: { a: [labelled.a[2]!] },
      departments: oneProject(),
      pending: [
        { id: 'plain', project: 'p', pods: [1] },
        {
          id: 'tolerant',
          project: 'p',
          pods: [1],
          constraints: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'infer', effect: 'NoSchedule' }] },
        },
        { id: 'any', project: 'p', pods: [1], constraints: { tolerations: [{ operator: 'Exists' }] } },
      ],
    });
    expect(out.placements).toEqual({ plain: 'pending', tolerant: ['tainted-0'], any: ['tainted-0'] });
    expect(out.reasons.plain).toContain('1 node(s) had untolerated taint {dedicated=infer:NoSchedule}');
  });

  it('checks CPU and memory as well as GPUs', () => {
    const out = runFixture({
      pools: { a: [nodes(1, { cpuMillis: 8000 })] },
      departments: oneProject(),
      pending: [{ id: 'cpu-heavy', project: 'p', pods: [1], cpu: 16 }],
    });
    expect(out.reasons['cpu-heavy']).toContain("1 node(s) didn't have enough resources: CPU cores");
  });
});

describe('fractions', () => {
  it('shares a device between fractional pods, by portion and by memory, before opening a new one', () => {
    const out = runFixture({
      pools: { a: [nodes(2, { gpu: { model: 'H100-SXM-80GB', count: 2 } })] },
      departments: oneProject(),
      running: [{ id: 'whole', project: 'p', pods: [1] }],
      pending: [
        { id: 'half', project: 'p', pods: [0.5] },
        { id: 'quarter', project: 'p', pods: [0.25] },
        { id: 'mem', project: 'p', pods: ['20Gi'] },
        { id: 'too-big', project: 'p', pods: ['100Gi'] },
      ],
    });
    const cluster = out.scheduler.cluster;
    const device = (id: string) => out.scheduler.gang(id)!.bindings[0]!;
    expect(out.placements.half).toEqual(['a-0']);
    expect(device('quarter').gpus).toEqual(device('half').gpus);
    expect(device('mem').gpus).toEqual(device('half').gpus);
    expect(cluster.freeWholeGpus(0)).toBe(0);
    expect(out.placements['too-big']).toBe('pending');
    expect(out.reasons['too-big']).toContain('GPU memory');
  });
});

describe('topology', () => {
  const racks = { a: [nodes(6, { topology: { rack: 3 } })] };

  it('places a gang in the rack with the least free capacity that can hold it', () => {
    const out = runFixture({
      pools: racks,
      levels: ['rack'],
      departments: oneProject(),
      running: [{ id: 'r', project: 'p', pods: [8], topology: { key: 'kubernetes.io/hostname', required: true } }],
      pending: [{ id: 'pair', project: 'p', pods: [8, 8] }],
    });
    // Rack 0 holds 16 free GPUs after `r`, rack 1 holds 24: the tighter rack 0 wins.
    expect(out.placements.r).toEqual(['a-0']);
    expect(new Set(out.placements.pair as string[])).toEqual(new Set(['a-1', 'a-2']));
  });

  it('keeps a required topology inside one domain, and relaxes a preferred one', () => {
    const fragmented = {
      pools: racks,
      levels: ['rack'],
      departments: oneProject(),
      running: ['a-0', 'a-1', 'a-3', 'a-4'].map((host) => ({
        id: `on-${host}`,
        project: 'p',
        pods: [8],
        constraints: {
          nodeAffinity: [
            { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In' as const, values: [host] }] },
          ],
        },
      })),
    };
    // After the fill each rack has one empty node.
    const required = runFixture({
      ...fragmented,
      pending: [{ id: 'g', project: 'p', pods: [8, 8], topology: { key: 'lwsim.io/topology.rack', required: true } }],
    });
    expect(required.placements.g).toBe('pending');
    const preferred = runFixture({
      ...fragmented,
      pending: [{ id: 'g', project: 'p', pods: [8, 8], topology: { key: 'lwsim.io/topology.rack', required: false } }],
    });
    expect(preferred.placements.g).not.toBe('pending');
    const unknown = runFixture({
      ...fragmented,
      pending: [{ id: 'g', project: 'p', pods: [1, 1], topology: { key: 'row', required: true } }],
    });
    expect(unknown.reasons.g).toBe(
      'node pool a: topology key row is not a topology level of this cluster (levels: lwsim.io/topology.rack)',
    );
  });
});

describe('quota', () => {
  it('keeps non-preemptible work inside deserved quota of the project', () => {
    const out = runFixture({
      pools: { a: [nodes(4)] },
      departments: departments({
        d: { deserved: { a: 32 }, projects: { p: { deserved: { a: 8 } }, q: { deserved: { a: 24 } } } },
      }),
      running: [{ id: 'np1', project: 'p', pods: [4], priority: 150 }],
      pending: [
        { id: 'np2', project: 'p', pods: [8], priority: 150 },
        { id: 'pre', project: 'p', pods: [8], priority: 40 },
      ],
    });
    expect(out.placements).toMatchObject({ np1: ['a-0'], np2: 'pending', pre: ['a-1'] });
    expect(out.reasons.np2).toBe(
      'node pool a: Non-preemptible workload is over quota. Workload requested 8 GPUs, but project p quota is 8 GPUs, while 4 GPUs are already allocated for non-preemptible pods. Use a preemptible workload to go over quota.',
    );
    expect(out.scheduler.gang('np2')!.pending!.pools[0]).toMatchObject({
      code: 'NonPreemptibleOverQuota',
      orgType: 'PROJECT',
    });
  });

  it('checks the department quota too', () => {
    const out = runFixture({
      pools: { a: [nodes(4)] },
      departments: departments({ d: { deserved: { a: 8 }, projects: { p: { deserved: { a: 16 } } } } }),
      pending: [{ id: 'np', project: 'p', pods: [16], priority: 125 }],
    });
    expect(out.scheduler.gang('np')!.pending!.pools[0]).toMatchObject({
      code: 'NonPreemptibleOverQuota',
      orgType: 'DEPARTMENT',
    });
  });

  it('never exceeds a limit', () => {
    const out = runFixture({
      pools: { a: [nodes(4)] },
      departments: departments({ d: { projects: { p: { deserved: { a: 4 }, limit: { a: 12 } } } } }),
      running: [{ id: 'r', project: 'p', pods: [8] }],
      pending: [
        { id: 'more', project: 'p', pods: [8] },
        { id: 'small', project: 'p', pods: [4] },
      ],
    });
    expect(out.placements).toMatchObject({ r: ['a-0'], more: 'pending', small: ['a-1'] });
    expect(out.reasons.more).toBe(
      'node pool a: project p quota has reached the allowable limit of GPUs. Limit is 12 GPUs, currently 8 GPUs allocated and workload requested 8 GPUs',
    );
  });
});

describe('reclaim and preempt', () => {
  const twoTeams = departments({
    d: { deserved: { a: 16 }, projects: { team1: { deserved: { a: 8 } }, team2: { deserved: { a: 8 } } } },
  });

  it('reclaims from a project over its fair share: the fewest, lowest-priority, newest gangs', () => {
    const out = runFixture({
      pools: { a: [nodes(2)] },
      departments: twoTeams,
      running: [
        { id: 'old-low', project: 'team2', pods: [4], priority: 40 },
        { id: 'mid', project: 'team2', pods: [4], priority: 65 },
        { id: 'new-low', project: 'team2', pods: [4], priority: 40 },
        { id: 'newest-low', project: 'team2', pods: [4], priority: 40 },
      ],
      pending: [{ id: 'claim', project: 'team1', pods: [4], priority: 40 }],
    });
    expect(out.evicted).toEqual(['newest-low']);
    expect(out.placements.claim).toEqual(out.placements['newest-low'] === 'pending' ? ['a-1'] : []);
    expect(out.scheduler.gang('newest-low')!.evictions).toBe(1);
  });

  it('reclaims whole gangs and only as many as the reclaimer needs', () => {
    const out = runFixture({
      pools: { a: [nodes(2)] },
      departments: twoTeams,
      running: [
        { id: 'v1', project: 'team2', pods: [2, 2], priority: 40 },
        { id: 'v2', project: 'team2', pods: [4], priority: 40 },
        { id: 'v3', project: 'team2', pods: [8], priority: 40 },
      ],
      pending: [{ id: 'claim', project: 'team1', pods: [8], priority: 40 }],
    });
    expect(out.evicted).toEqual(['v3']);
    expect(out.placements.claim).toEqual(['a-1']);
  });

  it('does not reclaim non-preemptible gangs, nor from a project within its share', () => {
    const out = runFixture({
      pools: { a: [nodes(2)] },
      departments: twoTeams,
      running: [
        { id: 'np', project: 'team2', pods: [8], priority: 150 },
        { id: 'fair', project: 'team1', pods: [8], priority: 40 },
      ],
      pending: [{ id: 'claim', project: 'team1', pods: [4], priority: 40 }],
    });
    expect(out.evicted).toEqual([]);
    expect(out.placements.claim).toBe('pending');
  });

  it('preempts lower-priority preemptible gangs inside one project', () => {
    const out = runFixture({
      pools: { a: [nodes(1)] },
      departments: oneProject({ a: 8 }),
      running: [
        { id: 'low-old', project: 'p', pods: [4], priority: 25 },
        { id: 'low-new', project: 'p', pods: [4], priority: 25 },
      ],
      pending: [{ id: 'high', project: 'p', pods: [4], priority: 80 }],
    });
    expect(out.evicted).toEqual(['low-new']);
    expect(out.placements.high).toEqual(['a-0']);
  });

  it('does not preempt equal or higher priority, nor when the preemptor would still not fit', () => {
    const out = runFixture({
      pools: { a: [nodes(1)] },
      departments: oneProject({ a: 8 }),
      running: [
        { id: 'same', project: 'p', pods: [4], priority: 80 },
        { id: 'low', project: 'p', pods: [4], priority: 25 },
      ],
      pending: [{ id: 'wants-all', project: 'p', pods: [8], priority: 80 }],
    });
    expect(out.evicted).toEqual([]);
    expect(out.placements).toMatchObject({ same: ['a-0'], low: ['a-0'], 'wants-all': 'pending' });
  });
});

function gangOf(id: string) {
  return {
    id,
    workload: id,
    project: 'p',
    priority: 50,
    preemptible: true,
    pods: [
      {
        role: 'leader',
        resources: { gpu: { kind: 'devices' as const, count: 1 }, cpuMillis: 1000, memoryBytes: 2 ** 30 },
      },
    ],
    nodePools: [],
  };
}
