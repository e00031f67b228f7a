import type { Random } from '../engine/index.ts';
import { seconds, type Micros } from '../engine/index.ts';

/** A delay stated the way people state them: typical (median) and slow (90th percentile), in seconds. */
export interface DelaySpec {
  readonly median: number;
  readonly p90: number;
}

/** How long each step of a pod's start takes, and how long pods take to terminate. */
export interface LifecycleDelays {
  readonly imagePull: DelaySpec;
  readonly containerStart: DelaySpec;
  /** Loading model weights into GPU memory: minutes for a large model. */
  readonly modelLoad: DelaySpec;
  readonly termination: DelaySpec;
}

/** Sensible defaults: seconds to pull and start, a couple of minutes to load a large model. */
export const DEFAULT_DELAYS: LifecycleDelays = {
  imagePull: { median: 20, p90: 60 },
  containerStart: { median: 3, p90: 8 },
  modelLoad: { median: 120, p90: 300 },
  termination: { median: 5, p90: 15 },
};

/** A draw from the lognormal with the spec's median and p90 (a zero median means "instant"). */
export function drawDelay(random: Random, spec: DelaySpec): Micros {
  if (spec.median <= 0) return 0;
  return seconds(random.lognormalFromMedian(spec.median, Math.max(spec.median, spec.p90)));
}
