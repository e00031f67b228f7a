// The serving engines lwsim prices: how each sizes its KV cache and batches, from its documented defaults.

export const ENGINE_NAMES = ['vllm', 'trtllm', 'sglang'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export interface EnginePreset {
  readonly name: EngineName;
  readonly displayName: string;
  /**
   * Which memory the KV cache may take: `total` — fraction × device memory, minus weights, activations and runtime
   * (vLLM's gpu_memory_utilization, SGLang's mem_fraction_static); `free` — fraction of what is left after them
   * (TensorRT-LLM's free_gpu_memory_fraction).
   */
  readonly memoryRule: 'total' | 'free';
  readonly memoryFraction: number;
  /** Sequences per iteration. */
  readonly maxNumSeqs: number;
  /** Tokens per iteration (the chunked-prefill budget). */
  readonly maxNumBatchedTokens: number;
  /**
   * `mixed`: prefill chunks ride in the decodes' iterations (vLLM's chunked prefill, TensorRT-LLM's in-flight
   * batching); `separate`: prefill batches run between decode steps (SGLang without --enable-mixed-chunk).
   */
  readonly prefillMixing: 'mixed' | 'separate';
  /** Tokens per KV-cache block (page). */
  readonly blockSize: number;
  readonly source: string;
}

export const ENGINES: Readonly<Record<EngineName, EnginePreset>> = {
  vllm: {
    name: 'vllm',
    displayName: 'vLLM (V1 engine)',
    memoryRule: 'total',
    memoryFraction: 0.9,
    maxNumSeqs: 1024,
    maxNumBatchedTokens: 8192,
    prefillMixing: 'mixed',
    blockSize: 16,
    source:
      'vllm/engine/arg_utils.py: gpu_memory_utilization 0.9, block_size 16; the OpenAI server on H100-class GPUs defaults to max_num_seqs 1024, max_num_batched_tokens 8192',
  },
  trtllm: {
    name: 'trtllm',
    displayName: 'TensorRT-LLM',
    memoryRule: 'free',
    memoryFraction: 0.9,
    maxNumSeqs: 2048,
    maxNumBatchedTokens: 8192,
    prefillMixing: 'mixed',
    blockSize: 32,
    source:
      'tensorrt_llm KvCacheConfig.free_gpu_memory_fraction 0.9; BuildConfig max_batch_size 2048, max_num_tokens 8192, tokens_per_block 32',
  },
  sglang: {
    name: 'sglang',
    displayName: 'SGLang',
    memoryRule: 'total',
    memoryFraction: 0.85,
    maxNumSeqs: 4096,
    maxNumBatchedTokens: 8192,
    prefillMixing: 'separate',
    blockSize: 1,
    source:
      'python/sglang/srt/server_args.py: mem_fraction_static ~0.85 on 80 GB GPUs (it scales with memory), chunked_prefill_size 8192, page_size 1, enable_mixed_chunk off; max_running_requests bounded by the KV pool',
  },
};

export function isEngineName(value: string): value is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(value);
}
