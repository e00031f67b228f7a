// Public API of the tensor-parallel inference kernel.
export { createTpEngine } from './engine.ts';
export type { TpEngine, TpEngineOptions, GenerateOptions, GenerateResult } from './engine.ts';
export {
  DEFAULT_MODEL,
  MODEL_PRESETS,
  modelPreset,
  isModelSize,
  parameterCount,
  headDim,
  validateModel,
  validateParallelism,
} from './config.ts';
export type { ModelConfig, ModelSize } from './config.ts';
export { tokenize, detokenize, BOS, EOS, BYTE_VOCAB } from './tokenizer.ts';
export type { TokenizeOptions } from './tokenizer.ts';
export { RankFailedError, GenerationAbortedError, EngineClosedError } from './errors.ts';
export { ReferenceModel } from './reference.ts';
export type { ReferenceResult } from './reference.ts';
