// Compiles the .wat kernel sources with wabt, once per process; the resulting WebAssembly.Modules are
// posted to the rank workers (Modules are cloneable), which only instantiate them.

import { readFile } from 'node:fs/promises';
import { Wasm, type WasmModule } from './wasm-api.ts';

/** The compiled kernel modules, each importing `env.memory` (shared). */
export interface KernelModules {
  readonly gemm: WasmModule;
  readonly attention: WasmModule;
  readonly pointwise: WasmModule;
}

const SOURCES = { gemm: 'gemm.wat', attention: 'attention.wat', pointwise: 'pointwise.wat' } as const;
const FEATURES = { simd: true, threads: true, bulk_memory: true } as const;

let cached: Promise<KernelModules> | undefined;

async function compileAll(): Promise<KernelModules> {
  const wabt = await (await import('wabt')).default();
  const compile = async (file: string): Promise<WasmModule> => {
    const text = await readFile(new URL(`./wasm/${file}`, import.meta.url), 'utf8');
    const parsed = wabt.parseWat(file, text, FEATURES);
    try {
      // WebAssembly.Module validates the binary (wabt's own validate() ignores the features).
      return new Wasm.Module(parsed.toBinary({}).buffer);
    } finally {
      parsed.destroy();
    }
  };
  const [gemm, attention, pointwise] = await Promise.all([
    compile(SOURCES.gemm),
    compile(SOURCES.attention),
    compile(SOURCES.pointwise),
  ]);
  return { gemm, attention, pointwise };
}

/** The kernel modules, compiled on first use and shared by every engine in this process. */
export function kernelModules(): Promise<KernelModules> {
  cached ??= compileAll().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}
