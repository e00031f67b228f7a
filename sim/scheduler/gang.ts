import type { Binding, PodResources, TaintEffect } from '../cluster/index.ts';
import type { Micros } from '../engine/index.ts';

export const MATCH_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'] as const;
export type MatchOperator = (typeof MATCH_OPERATORS)[number];

export interface MatchExpression {
  readonly key: string;
  readonly operator: MatchOperator;
  readonly values?: readonly string[];
}

/** Terms are ORed; the expressions inside one term are ANDed (Kubernetes nodeSelectorTerms). */
export interface NodeSelectorTerm {
  readonly matchExpressions: readonly MatchExpression[];
}

export interface Toleration {
  readonly key?: string;
  readonly operator?: 'Equal' | 'Exists';
  readonly value?: string;
  /** Absent or `Any` tolerates every effect. */
  readonly effect?: TaintEffect | 'Any';
}

/** Where one pod may go; leader and workers of a group can differ. */
export interface PodConstraints {
  readonly nodeType?: string;
  readonly nodeAffinity?: readonly NodeSelectorTerm[];
  readonly tolerations?: readonly Toleration[];
}

export interface GangPod {
  /** `leader`, `worker-1`, ...: used in reasons. */
  readonly role: string;
  readonly resources: PodResources;
  readonly constraints?: PodConstraints;
}

/**
 * Keep the gang inside one domain of the topology level whose node label is `key` (Run:ai's podAffinity).
 * Required: never outside one; preferred: try, and fall back to anywhere in the pool.
 */
export interface TopologyConstraint {
  readonly key: string;
  readonly required: boolean;
}

/** What the scheduler places: one LWS group (a leader and its workers), all or nothing. */
export interface GangSpec {
  readonly id: string;
  /** The project it is submitted to. */
  readonly project: string;
  readonly priority: number;
  readonly preemptible: boolean;
  readonly pods: readonly GangPod[];
  /** Pools in order of preference; empty means every pool, in cluster order. */
  readonly nodePools: readonly string[];
  readonly topology?: TopologyConstraint;
  /** Groups of one workload share it; reasons and victims name it. */
  readonly workload?: string;
}

/** Quota reasons match Run:ai's phaseReason; Unschedulable is a placement failure; Evicted a lost placement. */
export type PendingCode = 'OverLimit' | 'NonPreemptibleOverQuota' | 'Unschedulable' | 'Evicted';

/** Why a gang did not fit in one pool. */
export interface PoolReason {
  readonly pool: string;
  readonly code: PendingCode;
  readonly message: string;
  /** For quota reasons: whose quota. */
  readonly orgType?: 'PROJECT' | 'DEPARTMENT';
}

export interface PendingReason {
  /** The reason in the gang's first pool, the one a person reads first. */
  readonly code: PendingCode;
  readonly message: string;
  readonly pools: readonly PoolReason[];
}

/** A pool where a pending gang's placement failed, and when (by the pool's count of frees). */
export interface ParkedPool {
  readonly pool: number;
  readonly frees: number;
  readonly reason: PoolReason;
  /** The words the reason was made from (a session's memory of a failed shape), to reuse it when they recur. */
  readonly source: string;
}

export type GangPhase = 'pending' | 'running';

/** What a gang needs in total, to skip domains that cannot hold it without trying them. */
export interface GangNeed {
  readonly wholeGpus: number;
  readonly units: number;
  readonly fullNodes: number;
}

/** What follows from a gang's spec and the cluster's layout alone: worked out once, shared by clones. */
export interface GangFacts {
  /** Pool indexes to try, in order. */
  readonly pools: readonly number[];
  /** The quota charge in each pool, GPU units. */
  readonly units: Float64Array;
  /** What it needs in all in each pool (whole devices, GPU units, empty nodes), for GangPlacer.mightFit. */
  readonly needs: readonly GangNeed[];
  /** Equal for gangs that ask exactly the same (resources, constraints, topology); -1 until first asked. */
  shape: number;
}

export interface GangState {
  readonly spec: GangSpec;
  readonly facts: GangFacts;
  /** Dense id inside the scheduler (deterministic: submission order). */
  readonly seq: number;
  readonly project: number;
  readonly submittedAt: Micros;
  phase: GangPhase;
  /** The pool it runs in, or -1. */
  pool: number;
  /** One per pod, in pod order, while running. */
  bindings: Binding[];
  pending: PendingReason | null;
  /**
   * The pools where placement failed while it waits, each with the pool's count of frees at that moment and the
   * reason: while nothing is freed there, an attempt would fail the same way (see Session.attempt). Replaced,
   * never mutated, so a clone may share it.
   */
  parked: readonly ParkedPool[];
  firstPlacedAt: Micros | null;
  lastPlacedAt: Micros | null;
  /** Time spent pending so far, closed intervals only. */
  pendingMicros: Micros;
  pendingSince: Micros;
  evictions: number;
}
