import type { Micros } from '../engine/index.ts';
import type { ClusterModel } from '../model/cluster-model.ts';
import type { Command, CommandResult } from '../model/commands.ts';
import type { Scenario } from './scenario.ts';

/** Where a replay ended: the scenario's horizon, or earlier if its `stopWhen` said so. */
export interface ReplayEnd {
  readonly scenario: Scenario;
  readonly cluster: ClusterModel;
  readonly at: Micros;
}

/**
 * Watches a replay and writes its sections of the report. The standard recorders write the sections every report
 * has; a subsystem (serving, capacity search) adds its own sections with a recorder of its own.
 */
export interface Recorder<S extends object = object> {
  /** Once, before the first step: where a recorder subscribes to the cluster's observers. */
  attach?(cluster: ClusterModel): void;
  /** After each timeline command, with what it did. */
  command?(command: Command, result: CommandResult): void;
  /** On the sampling grid: every `sampleEvery` from 0, and where the replay ends. */
  sample?(cluster: ClusterModel): void;
  /** The recorder's sections, once the replay has ended. */
  section(end: ReplayEnd): S;
}
