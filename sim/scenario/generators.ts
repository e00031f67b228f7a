import { seconds, type Micros, type Random } from '../engine/index.ts';
import {
  DEFAULT_PRIORITY_CLASS,
  resolvePriority,
  type PriorityClassName,
  type TopologyConstraint,
} from '../scheduler/index.ts';
import { hostShare, syntheticSpec } from '../workloads/synthetic-spec.ts';
import type { ScenarioStep } from './scenario.ts';

/** Values drawn with weights (equal weights when none are given). */
export interface Choice<T> {
  readonly values: readonly T[];
  readonly weights: readonly number[];
}

/** Median and 90th percentile, in seconds: a lognormal, the way people state durations. */
export interface Spread {
  readonly median: number;
  readonly p90: number;
}

/** N workloads arriving as a Poisson process, their shapes drawn from distributions. */
export interface GeneratorSpec {
  /** Names are `<name>-<i>`. */
  readonly name: string;
  readonly kind: 'inference' | 'training';
  readonly count: number;
  readonly start: Micros;
  /** Mean time between arrivals (exponential gaps). */
  readonly meanInterval: Micros;
  readonly projects: Choice<string>;
  /** GPUs per pod: whole devices, or a fraction of one below 1. */
  readonly gpus: Choice<number>;
  readonly workers: Choice<number>;
  readonly replicas: Choice<number>;
  /** Training: how long it runs. Inference: how long it lives before it is deleted (absent: until the end). */
  readonly duration?: Spread;
  readonly priorityClass?: PriorityClassName;
  readonly nodePools: readonly string[];
  /** Keeps each multi-pod group inside one domain of a topology level (single pods need no such rule). */
  readonly topology?: TopologyConstraint;
}

/** Expands a generator into timeline steps (creates, and deletes for inference with a lifetime). Deterministic. */
export function expandGenerator(generator: GeneratorSpec, random: Random): ScenarioStep[] {
  const steps: ScenarioStep[] = [];
  let at = generator.start;
  const priority = resolvePriority(
    generator.priorityClass ?? DEFAULT_PRIORITY_CLASS[generator.kind === 'training' ? 'training' : 'inference'],
  );
  for (let i = 0; i < generator.count; i++) {
    if (i > 0) at += Math.round(random.exponential(generator.meanInterval));
    const name = `${generator.name}-${i}`;
    const gpus = draw(random, generator.gpus);
    const workers = draw(random, generator.workers);
    const lifetime = generator.duration
      ? seconds(
          random.lognormalFromMedian(
            generator.duration.median,
            Math.max(generator.duration.median, generator.duration.p90),
          ),
        )
      : undefined;
    const spec = syntheticSpec({
      name,
      project: draw(random, generator.projects),
      replicas: draw(random, generator.replicas),
      workers,
      gpus,
      image: 'generated',
      host: hostShare(gpus),
      nodePools: generator.nodePools,
      priority,
      ...(generator.kind === 'training' && lifetime !== undefined ? { runFor: lifetime } : {}),
    });
    steps.push({
      at,
      command: {
        type: 'create',
        useGivenNameAsPrefix: false,
        createdBy: 'scenario',
        request: JSON.stringify({ generator: generator.name }),
        spec: generator.topology !== undefined && workers > 0 ? { ...spec, topology: generator.topology } : spec,
      },
    });
    if (generator.kind === 'inference' && lifetime !== undefined)
      steps.push({ at: at + lifetime, command: { type: 'delete', workload: { name } } });
  }
  return steps;
}

function draw<T>(random: Random, choice: Choice<T>): T {
  return choice.values.length === 1 ? choice.values[0]! : random.weighted(choice.values, choice.weights);
}
