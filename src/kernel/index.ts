// Public API of the tensor-parallel inference kernel.
export { createTpEngine } from './engine.ts';
export type { TpEngine, TpEngineOptions, GenerateOptions, GenerateResult } from './engine.ts';
export { tokenize, detokenize, BOS, EOS, BYTE_VOCAB } from './tokenizer.ts';
export type { TokenizeOptions } from './tokenizer.ts';
export { RankFailedError, GenerationAbortedError, EngineClosedError } from './errors.ts';
export { ReferenceModel } from './reference.ts';
export type { ReferenceResult } from './reference.ts';
