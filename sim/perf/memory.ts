// What one GPU of a deployment holds — weights, peak activations, runtime — and the KV-cache tokens left over.
import { GIB } from '../cluster/quantity.ts';
import { attentionParameters, mlpParameters } from './architectures.ts';
import { kvHeadsPerGpu, layersPerStage, type Deployment } from './deployment.ts';
import { ACTIVATION_BYTES, DTYPE_BYTES } from './precision.ts';

/**
 * CUDA context, NCCL buffers and captured CUDA graphs: not in any config, so an estimate (vLLM reports ~0.5 GiB
 * of non-torch memory and up to ~1 GiB of graphs on H100).
 */
export const RUNTIME_BYTES = 1.5 * GIB;

export interface MemoryPlan {
  /** Per GPU of the heaviest stage, bytes. */
  readonly weightBytes: number;
  readonly activationBytes: number;
  readonly runtimeBytes: number;
  readonly deviceBytes: number;
  /** What the engine's memory rule lets the model and cache use. */
  readonly usableBytes: number;
  readonly kvBytesPerToken: number;
  /** Whole blocks, on every GPU (each holds its heads' share of every token). */
  readonly kvCacheTokens: number;
}

export type MemoryFit =
  ({ readonly ok: true } & MemoryPlan) | ({ readonly ok: false; readonly message: string } & MemoryPlan);

/** The weights one rank of `stage` holds: its layers' share, plus the embedding (first) and LM head (last). */
function stageWeightBytes(d: Deployment, stage: number, layers: number): number {
  const m = d.model;
  // Each rank keeps its heads' share of Q and O and at least one KV head (replicated when tp > kvHeads).
  const qo = 2 * m.hidden * m.heads * m.headDim;
  const kv = attentionParameters(m) - qo;
  const perLayer = (qo / d.tp + (kv / m.kvHeads) * kvHeadsPerGpu(d) + mlpParameters(m) / d.tp) * DTYPE_BYTES[d.weights];
  const norms = 2 * m.hidden * ACTIVATION_BYTES;
  // Embedding and LM head stay 16-bit in quantised checkpoints.
  const vocabShard = (m.vocab * m.hidden * ACTIVATION_BYTES) / d.tp;
  const first = stage === 0 ? vocabShard : 0;
  const last = stage === d.pp - 1 && !(m.tiedEmbeddings && d.pp === 1) ? vocabShard : 0;
  return layers * (perLayer + norms) + first + last;
}

/** Peak activations of the engine's largest forward (max_num_batched_tokens), and the logits in FP32. */
function activationBytes(d: Deployment): number {
  const m = d.model;
  const tokens = d.engine.maxNumBatchedTokens;
  const perToken = 2 * m.hidden + ((m.heads + 2 * m.kvHeads) * m.headDim) / d.tp + (2 * m.ffn) / d.tp;
  return tokens * perToken * ACTIVATION_BYTES + Math.min(d.engine.maxNumSeqs, tokens) * (m.vocab / d.tp) * 4;
}

const gib = (bytes: number): string => `${(bytes / GIB).toFixed(1)} GiB`;

export function planMemory(d: Deployment, deviceBytes = d.gpu.memoryGiB * GIB): MemoryFit {
  const weightBytes = Math.max(...layersPerStage(d).map((layers, s) => stageWeightBytes(d, s, layers)));
  const activation = activationBytes(d);
  const fraction = d.engine.memoryFraction;
  const overhead = weightBytes + activation + RUNTIME_BYTES;
  const usableBytes = d.engine.memoryRule === 'total' ? fraction * deviceBytes : deviceBytes;
  const cacheBytes = d.engine.memoryRule === 'total' ? usableBytes - overhead : fraction * (deviceBytes - overhead);
  const m = d.model;
  const kvBytesPerToken = 2 * Math.ceil(m.layers / d.pp) * kvHeadsPerGpu(d) * m.headDim * DTYPE_BYTES[d.kv];
  const block = d.engine.blockSize;
  const kvCacheTokens = Math.max(0, Math.floor(cacheBytes / kvBytesPerToken / block) * block);
  const plan = {
    weightBytes,
    activationBytes: activation,
    runtimeBytes: RUNTIME_BYTES,
    deviceBytes,
    usableBytes,
    kvBytesPerToken,
    kvCacheTokens,
  };
  const where = `TP ${d.tp}${d.pp > 1 ? ` × PP ${d.pp}` : ''} on ${d.gpu.id}`;
  const what = `${m.displayName} ${d.weights.toUpperCase()}`;
  if (weightBytes > usableBytes) {
    const rule = d.engine.memoryRule === 'total' ? ` (${gib(deviceBytes)} × ${fraction})` : '';
    return {
      ok: false,
      message: `${what} needs ${gib(weightBytes)} of weights per GPU; ${where} has ${gib(usableBytes)} usable${rule}`,
      ...plan,
    };
  }
  if (kvCacheTokens < block) {
    return {
      ok: false,
      message: `${what} leaves no room for the KV cache: ${where} has ${gib(usableBytes)} usable, weights take ${gib(weightBytes)}, activations ${gib(activation)}, runtime ${gib(RUNTIME_BYTES)}`,
      ...plan,
    };
  }
  return { ok: true, ...plan };
}
