import type { Command } from '../simulator/commands.ts';
import type { ClusterSpec } from '../cluster/index.ts';
import type { Micros } from '../engine/index.ts';
import type { SchedulerConfig } from '../scheduler/index.ts';
import type { WorkloadTraffic } from '../serving/traffic.ts';
import type { LifecycleDelays } from '../workloads/delays.ts';

export interface ScenarioStep {
  readonly at: Micros;
  /** Workloads are named as the timeline's creates name them (`{ name }` references). */
  readonly command: Command;
  /** A create's traffic: the workload is then served request by request (the report's serving section). */
  readonly traffic?: WorkloadTraffic;
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
