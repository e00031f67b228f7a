/**
 * The platform contract's inventory objects from the simulated cluster: `Node` and `Nodepool`. Node pools are
 * numbered 1, 2, ... in cluster-file order (as projects' `Resources` name them); node ids are stable UUIDs of the
 * cluster and the node's name.
 */
import type { ClusterState } from '../../../sim/cluster/cluster-state.ts';
import { stableUuid } from '../../../sim/config/stable-uuid.ts';

type Json = Record<string, unknown>;

export interface InventoryContext {
  readonly clusterId: string;
  readonly clusterName: string;
  readonly cluster: ClusterState;
  /** Simulated time 0 and now, as ISO dates. */
  readonly createdAt: string;
  readonly now: string;
}

/** The label a pool's nodes carry in Run:ai. */
export const NODE_POOL_LABEL = 'run.ai/node-pool';

export function presentNodes(ctx: InventoryContext): Json[] {
  const { layout } = ctx.cluster;
  return layout.nodes.map((node) => ({
    id: stableUuid(`${ctx.clusterId}/node/${node.name}`),
    name: node.name,
    clusterUuid: ctx.clusterId,
    status: ctx.cluster.isReady(node.index) ? 'Ready' : 'NotReady',
    conditions: ctx.cluster.isReady(node.index)
      ? []
      : [{ type: 'Ready', reason: 'NodeDown', message: 'the node was taken down (POST /sim/v1/faults)' }],
    taints: node.taints.map((t) => (t.value === undefined ? { key: t.key, effect: t.effect } : { ...t })),
    nodePool: layout.pools[node.pool]!.name,
    createdAt: ctx.createdAt,
    updatedAt: ctx.now,
    gpuInfo: node.gpuCount > 0 ? { gpuType: node.gpuModel, gpuCount: node.gpuCount } : null,
    nvLinkDomainUid: null,
    nvLinkCliqueId: null,
  }));
}

export function presentNodePools(ctx: InventoryContext): Json[] {
  const { layout } = ctx.cluster;
  return layout.pools.map((pool) => {
    const nodes = pool.nodes.map((n) => layout.nodes[n]!);
    const ready = nodes.filter((n) => ctx.cluster.isReady(n.index)).length;
    return {
      id: String(pool.index + 1),
      name: pool.name,
      labelKey: NODE_POOL_LABEL,
      labelValue: pool.name,
      clusterId: ctx.clusterId,
      clusterName: ctx.clusterName,
      tenantId: 1,
      placementStrategy: { gpu: pool.placement === 'spread' ? 'spread' : 'binpack', cpu: 'binpack' },
      phase: nodes.length === 0 ? 'Empty' : ready === 0 ? 'Unschedulable' : 'Ready',
      phaseMessage: `${ready} of ${nodes.length} nodes ready`,
      status: { nodes: nodes.map((n) => n.name) },
      createdBy: 'lwsim',
      createdAt: ctx.createdAt,
      updatedBy: 'lwsim',
      updatedAt: ctx.now,
      deletedAt: null,
      isDefault: pool.index === 0,
    };
  });
}
