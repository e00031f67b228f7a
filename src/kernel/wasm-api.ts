// The project's TypeScript lib (ES2022, no DOM) does not declare the WebAssembly JS API; these are
// the parts the kernel uses, typed here and taken from the runtime global.

declare const moduleBrand: unique symbol;
declare const memoryBrand: unique symbol;

/** A compiled module: opaque, cloneable through postMessage. */
export interface WasmModule {
  readonly [moduleBrand]: true;
}

/** A shared linear memory; its buffer never moves because the engine never grows it. */
export interface WasmMemory {
  readonly [memoryBrand]: true;
  readonly buffer: SharedArrayBuffer;
}

export interface WasmInstance {
  readonly exports: Readonly<Record<string, unknown>>;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => WasmMemory;
}

export const Wasm: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** 64 KiB wasm pages; wasm32 addresses at most 65536 of them (4 GiB). */
export const PAGE_BYTES = 65_536;
export const MAX_PAGES = 65_536;

/** Looks up an exported function, failing loudly if the .wat source and the wrapper disagree. */
export function exportedFunction<F>(instance: WasmInstance, name: string): F {
  const fn = instance.exports[name];
  if (typeof fn !== 'function') throw new Error(`wasm export '${name}' is missing`);
  return fn as F;
}
