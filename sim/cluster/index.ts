export * from './gpu-catalog.ts';
export * from './quantity.ts';
export * from './spec.ts';
export * from './layout.ts';
export * from './bucket-index.ts';
export * from './cluster-state.ts';
export * from './node-changes.ts';
export * from './cluster-file.ts';

import { ClusterLayout, type LayoutError } from './layout.ts';
import { ClusterState } from './cluster-state.ts';
import type { ClusterSpec } from './spec.ts';

/** A cluster with nothing allocated, from a validated spec. */
export function buildCluster(
  spec: ClusterSpec,
): { ok: true; cluster: ClusterState } | { ok: false; errors: LayoutError[] } {
  const built = ClusterLayout.build(spec);
  return built.ok ? { ok: true, cluster: new ClusterState(built.layout) } : built;
}
