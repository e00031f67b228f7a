// Real LLM architectures from their published configs: what the performance model needs to count FLOPs and bytes.

/** A decoder-only transformer with grouped-query attention and a gated MLP (dense, or a mixture of experts). */
export interface LlmArchitecture {
  /** The name lwsim uses (`--model`). */
  readonly id: string;
  readonly displayName: string;
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  /** Key/value heads: fewer than `heads` is grouped-query attention. */
  readonly kvHeads: number;
  /** Per-head size; not always hidden / heads (Qwen3-32B: 64 × 128 = 8192 ≠ 5120). */
  readonly headDim: number;
  /** Inner size of one (expert's) gated MLP: gate and up each have this many columns. */
  readonly ffn: number;
  readonly vocab: number;
  /** Input embedding and LM head share one matrix. */
  readonly tiedEmbeddings: boolean;
  /** Mixture of experts: experts per layer and how many each token uses; 1 and 1 for a dense model. */
  readonly experts: number;
  readonly activeExperts: number;
  /** `max_position_embeddings`: the longest context the model was trained for. */
  readonly maxContext: number;
  /** Where the numbers come from. */
  readonly source: string;
}

const hf = (repo: string): string => `https://huggingface.co/${repo}/blob/main/config.json`;

const dense = { experts: 1, activeExperts: 1, tiedEmbeddings: false } as const;

const LLAMA_2 = { ...dense, vocab: 32_000, headDim: 128, maxContext: 4096 } as const;
const LLAMA_3_1 = { ...dense, vocab: 128_256, headDim: 128, maxContext: 131_072 } as const;
const QWEN_3 = { ...dense, vocab: 151_936, headDim: 128, maxContext: 40_960 } as const;

export const ARCHITECTURES = {
  'llama-2-7b': {
    ...LLAMA_2,
    id: 'llama-2-7b',
    displayName: 'Llama-2-7B',
    layers: 32,
    hidden: 4096,
    heads: 32,
    kvHeads: 32,
    ffn: 11_008,
    source: hf('meta-llama/Llama-2-7b-hf'),
  },
  'llama-2-13b': {
    ...LLAMA_2,
    id: 'llama-2-13b',
    displayName: 'Llama-2-13B',
    layers: 40,
    hidden: 5120,
    heads: 40,
    kvHeads: 40,
    ffn: 13_824,
    source: hf('meta-llama/Llama-2-13b-hf'),
  },
  'llama-2-70b': {
    ...LLAMA_2,
    id: 'llama-2-70b',
    displayName: 'Llama-2-70B',
    layers: 80,
    hidden: 8192,
    heads: 64,
    kvHeads: 8,
    ffn: 28_672,
    source: `${hf('meta-llama/Llama-2-70b-hf')} (also the shape of Vidur's profiled layers)`,
  },
  'llama-3.1-8b': {
    ...LLAMA_3_1,
    id: 'llama-3.1-8b',
    displayName: 'Llama-3.1-8B',
    layers: 32,
    hidden: 4096,
    heads: 32,
    kvHeads: 8,
    ffn: 14_336,
    source: hf('meta-llama/Llama-3.1-8B'),
  },
  'llama-3.1-70b': {
    ...LLAMA_3_1,
    id: 'llama-3.1-70b',
    displayName: 'Llama-3.1-70B',
    layers: 80,
    hidden: 8192,
    heads: 64,
    kvHeads: 8,
    ffn: 28_672,
    source: hf('meta-llama/Llama-3.1-70B'),
  },
  'llama-3.1-405b': {
    ...LLAMA_3_1,
    id: 'llama-3.1-405b',
    displayName: 'Llama-3.1-405B',
    layers: 126,
    hidden: 16_384,
    heads: 128,
    kvHeads: 8,
    ffn: 53_248,
    source: hf('meta-llama/Llama-3.1-405B'),
  },
  'qwen3-8b': {
    ...QWEN_3,
    id: 'qwen3-8b',
    displayName: 'Qwen3-8B',
    layers: 36,
    hidden: 4096,
    heads: 32,
    kvHeads: 8,
    ffn: 12_288,
    source: hf('Qwen/Qwen3-8B'),
  },
  'qwen3-32b': {
    ...QWEN_3,
    id: 'qwen3-32b',
    displayName: 'Qwen3-32B',
    layers: 64,
    hidden: 5120,
    heads: 64,
    kvHeads: 8,
    ffn: 25_600,
    source: hf('Qwen/Qwen3-32B'),
  },
  'mistral-7b': {
    ...dense,
    id: 'mistral-7b',
    displayName: 'Mistral-7B-v0.3',
    layers: 32,
    hidden: 4096,
    heads: 32,
    kvHeads: 8,
    headDim: 128,
    ffn: 14_336,
    vocab: 32_768,
    maxContext: 32_768,
    source: hf('mistralai/Mistral-7B-v0.3'),
  },
  'mixtral-8x7b': {
    id: 'mixtral-8x7b',
    displayName: 'Mixtral-8x7B',
    layers: 32,
    hidden: 4096,
    heads: 32,
    kvHeads: 8,
    headDim: 128,
    ffn: 14_336,
    vocab: 32_000,
    tiedEmbeddings: false,
    experts: 8,
    activeExperts: 2,
    maxContext: 32_768,
    source: hf('mistralai/Mixtral-8x7B-v0.1'),
  },
} as const satisfies Record<string, LlmArchitecture>;

export type ArchitectureId = keyof typeof ARCHITECTURES;

export function isArchitectureId(value: string): value is ArchitectureId {
  return Object.hasOwn(ARCHITECTURES, value);
}

/** Weights of one layer's attention: Q, K, V and output projections. */
export function attentionParameters(a: LlmArchitecture): number {
  return a.hidden * (a.heads + 2 * a.kvHeads) * a.headDim + a.heads * a.headDim * a.hidden;
}

/** Weights of one layer's MLP: every expert's gate, up and down projections, and the router. */
export function mlpParameters(a: LlmArchitecture): number {
  const router = a.experts > 1 ? a.hidden * a.experts : 0;
  return a.experts * 3 * a.hidden * a.ffn + router;
}

/** Embedding and LM head (one matrix when tied). */
export function embeddingParameters(a: LlmArchitecture): number {
  return (a.tiedEmbeddings ? 1 : 2) * a.vocab * a.hidden;
}

/** All parameters, norms included (Llama-3.1-70B: 70.55 B; Mixtral-8x7B: 46.70 B). */
export function parameterCount(a: LlmArchitecture): number {
  const norms = 2 * a.hidden;
  return a.layers * (attentionParameters(a) + mlpParameters(a) + norms) + embeddingParameters(a) + a.hidden;
}
