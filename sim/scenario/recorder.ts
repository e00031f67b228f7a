import type { Micros } from '../engine/index.ts';
import type { SimulatedCluster } from '../simulator/simulated-cluster.ts';
import type { Command, CommandResult } from '../simulator/commands.ts';
import type { Scenario, ScenarioStep } from './scenario.ts';

/** Where a replay ended: the scenario's horizon, or earlier if its `stopWhen` said so. */
export interface ReplayEnd {
  readonly scenario: Scenario;
  readonly cluster: SimulatedCluster;
  readonly at: Micros;
}

/**
 * Watches a replay and writes its sections of the report. The standard recorders write the sections every report
 * has; a subsystem (serving, capacity search) adds its own sections with a recorder of its own.
 */
export interface Recorder<S extends object = object> {
  /** Once, before the first step: where a recorder subscribes to the cluster's observers. */
  attach?(cluster: SimulatedCluster): void;
  /** After each timeline command, with what it did and the step it came from. */
  command?(command: Command, result: CommandResult, step: ScenarioStep): void;
  /** On the sampling grid: every `sampleEvery` from 0, and where the replay ends. */
  sample?(cluster: SimulatedCluster): void;
  /** The recorder's sections, once the replay has ended. */
  section(end: ReplayEnd): S;
}
