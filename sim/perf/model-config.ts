// The shape of a decoder-only LLM, its parameter count and the checks that make a shape usable: what the
// kernel runs and what the performance model reasons about.

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
