import { describe, expect, it } from 'vitest';
import { ClusterLayout, NODE_LABELS } from '../../sim/cluster/index.ts';
import { clusterSpec, nodes } from '../support/clusters.ts';

describe('ClusterLayout', () => {
  it('numbers nodes per pool and builds the topology tree from fan-outs and names', () => {
    const built = ClusterLayout.build(
      clusterSpec(
        {
          h100: [
            nodes(8, { topology: { zone: 'zone-a', rack: 4 } }),
            nodes(2, { namePrefix: 'big-', topology: { zone: 'zone-a' } }),
          ],
          l40s: [nodes(3, { gpu: { model: 'L40S-48GB', count: 4 } })],
        },
        ['zone', 'rack'],
      ),
    );
    if (!built.ok) throw new Error(JSON.stringify(built.errors));
    const { layout } = built;
    expect(layout.nodes.map((n) => n.name).slice(0, 3)).toEqual(['h100-0', 'h100-1', 'h100-2']);
    expect(layout.nodeByName('big-8')?.pool).toBe(0);
    expect(layout.nodeByName('l40s-2')?.gpuCount).toBe(4);
    const racks = layout.domains.filter((d) => d.level === 1 && d.pool === 0);
    // Two racks of four from the fan-out, and one rack wrapping the two big nodes (level left out).
    expect(racks.map((r) => r.nodes.length)).toEqual([4, 4, 2]);
    const zones = layout.domains.filter((d) => d.level === 0 && d.pool === 0);
    expect(zones).toHaveLength(1);
    expect(zones[0]!.name).toBe('zone-a');
    expect(zones[0]!.gpuCount).toBe(80);
    expect(racks.every((r) => r.parent === zones[0]!.id)).toBe(true);
    expect(layout.pools[0]!.gpuCount).toBe(80);
    expect(layout.totalGpus).toBe(92);
    const node = layout.nodes[5]!;
    expect(layout.pathOf(5)).toEqual([node.domains[1], node.domains[0], layout.pools[0]!.root]);
    expect(node.labels[NODE_LABELS.nodePool]).toBe('h100');
    expect(node.labels[NODE_LABELS.hostname]).toBe('h100-5');
  });

  it('reports duplicate node names and a domain placed under two parents', () => {
    const built = ClusterLayout.build(
      clusterSpec(
        {
          a: [
            nodes(2, { namePrefix: 'n-', topology: { zone: 'z1', rack: 'r1' } }),
            nodes(1, { topology: { zone: 'z2', rack: 'r1' } }),
          ],
          b: [nodes(1, { namePrefix: 'n-' })],
        },
        ['zone', 'rack'],
      ),
    );
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(built.errors).toEqual([
      { path: ['nodePools', 0, 'nodes', 1, 'topology'], message: 'domain "r1" would sit under both "z1" and "z2"' },
      { path: ['nodePools', 1, 'nodes', 0], message: 'node name "n-0" is used twice' },
    ]);
  });
});
