import {
  buildCluster,
  GIB,
  GPU_CATALOG,
  type ClusterSpec,
  type ClusterState,
  type NodeSetSpec,
} from '../../sim/cluster/index.ts';

/** A node set with sensible defaults, for tests that care only about a few fields. */
export function nodes(count: number, overrides: Partial<NodeSetSpec> = {}): NodeSetSpec {
  return {
    count,
    gpu: { model: 'H100-SXM-80GB', count: 8 },
    cpuMillis: 64_000,
    memoryBytes: 512 * GIB,
    labels: {},
    taints: [],
    topology: {},
    ...overrides,
  };
}

export function clusterSpec(pools: Record<string, NodeSetSpec[]>, levels: string[] = []): ClusterSpec {
  return {
    name: 'test',
    id: '00000000-0000-4000-8000-000000000000',
    topologyLevels: levels.map((name) => ({ name, label: `lwsim.io/topology.${name}` })),
    nodePools: Object.entries(pools).map(([name, sets]) => ({ name, placement: 'binpack' as const, nodes: sets })),
    departments: [],
    gpuTypes: GPU_CATALOG,
  };
}

export function makeCluster(pools: Record<string, NodeSetSpec[]>, levels: string[] = []): ClusterState {
  const built = buildCluster(clusterSpec(pools, levels));
  if (!built.ok) throw new Error(built.errors.map((e) => e.message).join('; '));
  return built.cluster;
}
