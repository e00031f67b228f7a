// The named latency models: factories from a checked deployment to an iteration pricer (Vidur's registry idea).
import { IDEAL_CALIBRATION } from './calibration.ts';
import { CALIBRATION } from './calibration-data.ts';
import type { Deployment } from './deployment.ts';
import { IterationPricer } from './iteration.ts';

export type LatencyModelFactory = (deployment: Deployment) => IterationPricer;

export interface LatencyModel {
  readonly description: string;
  readonly create: LatencyModelFactory;
}

export const LATENCY_MODELS = {
  calibrated: {
    description: 'rooflines with efficiency curves and engine overheads fitted by `npm run calibrate` (the default)',
    create: (d) => new IterationPricer(d, CALIBRATION),
  },
  roofline: {
    description: 'datasheet physics only: every kernel at its peak FLOP/s or bandwidth, no overhead',
    create: (d) => new IterationPricer(d, IDEAL_CALIBRATION),
  },
} as const satisfies Record<string, LatencyModel>;

export type LatencyModelName = keyof typeof LATENCY_MODELS;
export const DEFAULT_LATENCY_MODEL: LatencyModelName = 'calibrated';

export function isLatencyModelName(value: string): value is LatencyModelName {
  return Object.hasOwn(LATENCY_MODELS, value);
}
