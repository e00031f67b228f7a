// The synthetic model's named size presets, chosen by the `lwsim.io/model-size` annotation.
import type { ModelConfig } from './model-config.ts';

export type ModelSize = 'tiny' | 'small' | 'base' | 'large';

const common = { vocab: 258, ropeTheta: 10_000, normEps: 1e-5 } as const;

/**
 * Every preset splits for TP up to 8 (heads, KV heads and MLP divisible) and PP up to 4 (at least 4 layers).
 * `large` (~0.76B parameters, fp32) is the biggest model that fits one 4 GiB wasm32 shared memory.
 */
export const MODEL_PRESETS: Readonly<Record<ModelSize, ModelConfig>> = {
  tiny: { ...common, layers: 4, hidden: 128, heads: 16, kvHeads: 8, mlp: 512, maxSeq: 256 },
  small: { ...common, layers: 8, hidden: 512, heads: 16, kvHeads: 8, mlp: 1536, maxSeq: 1024 },
  base: { ...common, layers: 12, hidden: 768, heads: 16, kvHeads: 8, mlp: 2048, maxSeq: 2048 },
  large: { ...common, layers: 16, hidden: 2048, heads: 16, kvHeads: 8, mlp: 5632, maxSeq: 2048 },
};

/** The default model: answers in milliseconds on a laptop. */
export const DEFAULT_MODEL: ModelConfig = MODEL_PRESETS.tiny;

/** Aliases accepted for the annotation value besides the preset names. */
const SIZE_ALIASES: Readonly<Record<string, ModelSize>> = { '1b': 'large', '1b-ish': 'large', default: 'tiny' };

export function isModelSize(name: string): name is ModelSize {
  return Object.hasOwn(MODEL_PRESETS, name);
}

/** Resolves an annotation value such as `small` or `1b` to a preset; throws on unknown names. */
export function modelPreset(name: string): ModelConfig {
  const key = name.trim().toLowerCase();
  const size = isModelSize(key) ? key : SIZE_ALIASES[key];
  if (size === undefined) {
    throw new RangeError(
      `unknown model size '${name}' (expected one of ${Object.keys(MODEL_PRESETS).join(', ')}, or 1b)`,
    );
  }
  return MODEL_PRESETS[size];
}
