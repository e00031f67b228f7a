// Messages between an engine (main thread) and its pool tasks. Only handles cross: the shared memory,
// the compiled modules and the plan; tensors stay in shared memory.

import type { MemoryPlan } from './layout.ts';
import type { KernelModules } from './wasm-modules.ts';
import type { WasmMemory } from './wasm-api.ts';

/** What every task carries, so any pool thread can serve any task (instances are cached per engine). */
export interface EngineHandles {
  readonly engineId: string;
  readonly memory: WasmMemory;
  readonly modules: KernelModules;
  readonly plan: MemoryPlan;
}

export interface GenerateSpec {
  readonly promptLength: number;
  /** At least 1; the engine clamps it so prompt + tokens fit maxSeq. */
  readonly maxTokens: number;
  readonly stopAtEos: boolean;
  readonly recordLogits: boolean;
  /** Test hook: this rank fails at the start of forward pass number `failStep` (failRank -1: none). */
  readonly failRank: number;
  readonly failStep: number;
  /** 'throw' raises an error in the rank; 'exit' ends its whole worker thread. */
  readonly failKind: 'throw' | 'exit';
}

export type WorkerTask =
  | { readonly kind: 'init'; readonly handles: EngineHandles; readonly group: number }
  | { readonly kind: 'generate'; readonly handles: EngineHandles; readonly group: number; readonly spec: GenerateSpec };

export interface WorkerResult {
  readonly group: number;
  readonly ranks: readonly number[];
}
