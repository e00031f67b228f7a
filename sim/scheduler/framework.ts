import type { ClusterLayout, NodeInfo, PoolInfo } from '../cluster/index.ts';
import type { GangPod } from './gang.ts';

/**
 * The scheduling framework's seams, after kube-scheduler's: small plugins that answer one question each and
 * return a typed verdict instead of throwing.
 */

/** A node-level verdict: null passes, a string says why not (it becomes part of the pending reason). */
export type NodeVerdict = string | null;
export type NodePredicate = (node: NodeInfo) => NodeVerdict;

/**
 * Filter extension point: can this pod run on this node at all (labels, taints; resources are checked apart)?
 * `compile` returns null when the plugin accepts every node of the pool, so unconstrained pods pay nothing.
 */
export interface FilterPlugin {
  readonly name: string;
  compile(pod: GangPod, pool: PoolInfo, layout: ClusterLayout): NodePredicate | null;
}
