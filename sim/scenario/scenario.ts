import type { ClusterSpec } from '../cluster/index.ts';
import type { Micros } from '../engine/index.ts';
import type { SchedulerConfig } from '../scheduler/index.ts';
import type { LifecycleDelays } from '../workloads/delays.ts';
import type { InferenceSpec } from '../workloads/spec.ts';

/** Something a scenario does at a moment of its timeline. Workloads are named as in the timeline's creates. */
export type ScenarioAction =
  | {
      readonly kind: 'create';
      readonly spec: InferenceSpec;
      readonly useGivenNameAsPrefix: boolean;
      readonly request: unknown;
    }
  | { readonly kind: 'scale'; readonly name: string; readonly replicas: number }
  | { readonly kind: 'delete'; readonly name: string }
  | { readonly kind: 'node'; readonly node: string; readonly ready: boolean }
  | { readonly kind: 'fail-pod'; readonly name: string; readonly pod: string };

export interface ScenarioStep {
  readonly at: Micros;
  readonly action: ScenarioAction;
}

/** A scenario ready to replay: generators already expanded, creates already translated. Plain data. */
export interface Scenario {
  readonly name: string;
  readonly file: string;
  readonly seed: number;
  readonly until: Micros;
  readonly cluster: ClusterSpec;
  readonly delays: LifecycleDelays;
  /** The cluster file's scheduler tunables. */
  readonly scheduler: SchedulerConfig;
  /** How often the time series are sampled. */
  readonly sampleEvery: Micros;
  /** In time order (stable for equal times: file order). */
  readonly steps: readonly ScenarioStep[];
}
