import { seconds, type Micros, type Random } from '../engine/index.ts';
import type { Spread } from './generators.ts';
import type { ScenarioStep } from './scenario.ts';

/**
 * Node faults as a month of a large cluster has them: failures arrive as a Poisson process over the nodes (one
 * uniformly chosen among those up), and each node comes back after a repair time drawn from a lognormal.
 */
export interface FaultSpec {
  readonly start: Micros;
  /** No failure after this (the scenario's horizon). */
  readonly until: Micros;
  /** Mean time between failures anywhere in the node set. */
  readonly meanInterval: Micros;
  readonly repair: Spread;
  /** The node names that may fail. */
  readonly nodes: readonly string[];
}

/** Expands the fault process into timeline steps: each failure and its repair. Deterministic. */
export function expandFaults(spec: FaultSpec, random: Random): ScenarioStep[] {
  const steps: ScenarioStep[] = [];
  // Nodes that are up, and when each down node comes back; a failure picks among the up ones only.
  const up = [...spec.nodes];
  const back: { node: string; at: Micros }[] = [];
  for (let at = spec.start + Math.round(random.exponential(spec.meanInterval)); at <= spec.until;) {
    for (let i = back.length - 1; i >= 0; i--) if (back[i]!.at <= at) up.push(...back.splice(i, 1).map((b) => b.node));
    if (up.length > 0) {
      const index = random.int(0, up.length - 1);
      const node = up[index]!;
      up[index] = up[up.length - 1]!;
      up.pop();
      const repaired =
        at + seconds(random.lognormalFromMedian(spec.repair.median, Math.max(spec.repair.median, spec.repair.p90)));
      steps.push({ at, command: { type: 'node', node, ready: false } });
      steps.push({ at: repaired, command: { type: 'node', node, ready: true } });
      back.push({ node, at: repaired });
    }
    at += Math.round(random.exponential(spec.meanInterval));
  }
  return steps;
}
