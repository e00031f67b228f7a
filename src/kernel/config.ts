// Model shapes of the synthetic decoder-only transformer, their named size presets and validation.

/** Shape of a Llama-style decoder: RMSNorm, rotary positions, grouped-query attention, gated SiLU MLP. */
export interface ModelConfig {
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  /** Key/value heads; fewer than `heads` means grouped-query attention. */
  readonly kvHeads: number;
  /** Inner size of the gated MLP (gate and up projections each have this many columns). */
  readonly mlp: number;
  /** Byte-level tokenizer: 256 bytes + BOS + EOS. */
  readonly vocab: number;
  /** Longest sequence (prompt + generated tokens) the KV cache holds. */
  readonly maxSeq: number;
  readonly ropeTheta: number;
  readonly normEps: number;
}

export type ModelSize = 'tiny' | 'small' | 'base' | 'large';

const common = { vocab: 258, ropeTheta: 10_000, normEps: 1e-5 } as const;

/**
 * Named presets, chosen by the `lwsim.io/model-size` annotation. Every preset splits for TP up to 8
 * (heads, KV heads and MLP divisible) and PP up to 4 (at least 4 layers).
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

export function headDim(model: ModelConfig): number {
  return model.hidden / model.heads;
}

/** Parameter count (embedding and LM head included). */
export function parameterCount(model: ModelConfig): number {
  const hd = headDim(model);
  const attn = model.hidden * (model.heads + 2 * model.kvHeads) * hd + model.heads * hd * model.hidden;
  const perLayer = attn + 3 * model.hidden * model.mlp + 2 * model.hidden;
  return model.layers * perLayer + 2 * model.vocab * model.hidden + model.hidden;
}

function require(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}

/** Checks that the shape is usable by the SIMD kernels (head size a multiple of 8 for rotary halves). */
export function validateModel(model: ModelConfig): void {
  for (const key of ['layers', 'hidden', 'heads', 'kvHeads', 'mlp', 'vocab', 'maxSeq'] as const) {
    require(Number.isInteger(model[key]) && model[key] > 0, `model.${key} must be a positive integer`);
  }
  require(model.hidden % model.heads === 0, 'model.hidden must be divisible by model.heads');
  require(headDim(model) % 8 === 0, 'model head size (hidden / heads) must be a multiple of 8');
  require(model.heads % model.kvHeads === 0, 'model.heads must be divisible by model.kvHeads');
  require(model.vocab >= 258, 'model.vocab must hold 256 byte tokens + BOS + EOS');
  require(model.ropeTheta > 0 && model.normEps > 0, 'model.ropeTheta and model.normEps must be positive');
}

/** Checks that the model splits over `tp` tensor-parallel ranks and `pp` pipeline stages. */
export function validateParallelism(model: ModelConfig, tp: number, pp: number): void {
  require([1, 2, 4, 8].includes(tp), `tp must be 1, 2, 4 or 8 (got ${tp})`);
  require([1, 2, 4].includes(pp), `pp must be 1, 2 or 4 (got ${pp})`);
  require(model.heads % tp === 0, `model.heads (${model.heads}) must be divisible by tp (${tp})`);
  require(model.kvHeads % tp === 0, `model.kvHeads (${model.kvHeads}) must be divisible by tp (${tp})`);
  require(model.mlp % (8 * tp) === 0, `model.mlp (${model.mlp}) must be divisible by 8 * tp (${8 * tp})`);
  require(model.layers >= pp, `model.layers (${model.layers}) must be at least pp (${pp})`);
}
