// Shared helpers of the kernel tests: the test model, prompts and the logits comparison.

import type { ModelConfig } from '../../sim/perf/model-config.ts';
import { DEFAULT_MODEL } from '../../sim/perf/presets.ts';

/** The default (tiny) model: 4 layers, 16 heads over 8 KV heads (GQA), so TP=8 and PP=4 both split it. */
export const TEST_MODEL: ModelConfig = DEFAULT_MODEL;
export const SEED = 1234;

/** A BOS-led prompt of `length` tokens with varied bytes. */
export function prompt(length: number, salt = 0): number[] {
  return [256, ...Array.from({ length: length - 1 }, (_, i) => (i * 73 + salt * 11 + 5) % 256)];
}

/** max |a - b| over max |b|: the error relative to the scale of the reference logits. */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs((actual[i] ?? NaN) - (expected[i] ?? NaN)));
    scale = Math.max(scale, Math.abs(expected[i] ?? 0));
  }
  return Number.isNaN(diff) ? Infinity : diff / scale;
}
