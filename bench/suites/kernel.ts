// Benchmarks of the tensor-parallel inference kernel: the WASM SIMD gemm against plain TypeScript
// and numpy/OpenBLAS (same shape, one thread), and TP=1 vs TP=2 prefill and decode of a layer stack.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Bench } from 'tinybench';
import type { BenchSuite, Figures } from '../suite.ts';
import type { ModelConfig } from '../../src/kernel/config.ts';
import { createTpEngine } from '../../src/kernel/engine.ts';
import { WasmKernels } from '../../src/kernel/kernels.ts';
import { packedFloats, packRowMajor } from '../../src/kernel/pack.ts';
import { gemmTs } from '../../src/kernel/ts-gemm.ts';
import { PAGE_BYTES, Wasm } from '../../src/kernel/wasm-api.ts';
import { kernelModules } from '../../src/kernel/wasm-modules.ts';

const run = promisify(execFile);

/** The gemm shape of the issue: [512 x 512] · [512 x 2048]. */
const M = 512;
const K = 512;
const N = 2048;
const FLOPS = 2 * M * K * N;

/** The layer stack for the TP figures: hidden 1024, MLP 4096, 4 layers (16 heads, 8 KV heads). */
const STACK: ModelConfig = {
  layers: 4, hidden: 1024, heads: 16, kvHeads: 8, mlp: 4096, vocab: 258, maxSeq: 576, ropeTheta: 10_000, normEps: 1e-5,
};
const PREFILL_TOKENS = 512;
const DECODE_TOKENS = 32;

function random(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

function median(bench: Bench, name: string): number {
  const task = bench.getTask(name);
  const result = task?.result;
  if (result === undefined || !('latency' in result)) throw new Error(`benchmark task '${name}' has no result`);
  return result.latency.p50;
}

async function gemmFigures(log: (line: string) => void): Promise<{ wasm: number; js: number }> {
  const a = random(M * K, 1);
  const b = random(K * N, 2);
  const scratchFloats = 1 << 17;
  const floats = M * K + packedFloats(K, N) + M * N + scratchFloats + 64;
  const pages = Math.ceil((floats * 4) / PAGE_BYTES);
  const kernels = new WasmKernels(await kernelModules(), new Wasm.Memory({ initial: pages, maximum: pages, shared: true }));
  const [aAt, bAt, cAt, sAt] = [0, M * K, M * K + packedFloats(K, N), M * K + packedFloats(K, N) + M * N];
  kernels.f32.set(a, aAt);
  packRowMajor(kernels.f32, bAt, b, K, N);
  const c = new Float32Array(M * N);
  const bench = new Bench({ iterations: 20, time: 0, warmupIterations: 5 });
  bench.add('wasm', () => kernels.gemm({ at: aAt, ld: K }, bAt, K, { at: cAt, ld: N }, M, N, false, sAt, scratchFloats));
  bench.add('js', () => gemmTs(a, b, c, M, K, N));
  log(`gemm ${M}x${K} · ${K}x${N}: WASM SIMD and plain TS, one thread…`);
  await bench.run();
  const wasm = FLOPS / median(bench, 'wasm') / 1e6;
  const js = FLOPS / median(bench, 'js') / 1e6;
  log(`  wasm ${wasm.toFixed(1)} GFLOP/s, js ${js.toFixed(2)} GFLOP/s`);
  return { wasm, js };
}

const NUMPY_SCRIPT = `
import json, time, numpy as np
rng = np.random.default_rng(0)
a = rng.random((${M}, ${K}), dtype=np.float32) - 0.5
b = rng.random((${K}, ${N}), dtype=np.float32) - 0.5
for _ in range(5): a @ b
ts = []
for _ in range(30):
    t = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t)
ts.sort()
print(json.dumps({"gflops": ${FLOPS} / ts[len(ts) // 2] / 1e9}))
`;

/** numpy (OpenBLAS) on one thread in a child python3, or null when numpy is not importable. */
async function openBlasGflops(log: (line: string) => void): Promise<number | null> {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  try {
    await run('python3', ['-c', 'import numpy'], { env, timeout: 30_000 });
  } catch {
    log('numpy not available: gemmGflopsOpenBLAS = null');
    return null;
  }
  const { stdout } = await run('python3', ['-c', NUMPY_SCRIPT], { env, timeout: 120_000 });
  const gflops = (JSON.parse(stdout) as { gflops: number }).gflops;
  log(`  numpy/OpenBLAS ${gflops.toFixed(1)} GFLOP/s`);
  return gflops;
}

/** Median prefill (512 tokens) and decode times of the layer stack at one TP degree. */
async function stackFigures(tp: number, log: (line: string) => void): Promise<{ prefillMs: number; decodeMs: number }> {
  log(`layer stack at TP=${tp} (${tp} thread${tp > 1 ? 's' : ''}): ${PREFILL_TOKENS}-token prefill, ${DECODE_TOKENS}-token decode…`);
  const engine = await createTpEngine({ model: STACK, tp, pp: 1, threads: tp, seed: 1 });
  try {
    const prompt = Array.from({ length: PREFILL_TOKENS }, (_, i) => (i * 37) % 256);
    const short = prompt.slice(0, 16);
    const bench = new Bench({ iterations: 5, time: 0, warmupIterations: 1 });
    bench.add('prefill', async () => ({ overriddenDuration: (await engine.generate(prompt, 1)).prefillMs }));
    bench.add('decode', async () => ({
      overriddenDuration: (await engine.generate(short, DECODE_TOKENS, undefined, { stopAtEos: false })).decodeMsPerToken,
    }));
    await bench.run();
    const figures = { prefillMs: median(bench, 'prefill'), decodeMs: median(bench, 'decode') };
    log(`  prefill ${figures.prefillMs.toFixed(1)} ms, decode ${figures.decodeMs.toFixed(2)} ms/token`);
    return figures;
  } finally {
    await engine.close();
  }
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

const suite: BenchSuite = {
  name: 'kernel',
  description: 'WASM SIMD gemm vs plain TS vs OpenBLAS; TP=1 vs TP=2 prefill speedup and decode latency',
  async run(log) {
    const gemm = await gemmFigures(log);
    const blas = await openBlasGflops(log);
    const tp1 = await stackFigures(1, log);
    const tp2 = await stackFigures(2, log);
    const figures: Figures = {
      gemmGflops: round(gemm.wasm, 2),
      gemmGflopsJs: round(gemm.js, 2),
      gemmGflopsOpenBLAS: blas === null ? null : round(blas, 2),
      gemmVsOpenBLAS: blas === null ? null : round(gemm.wasm / blas, 3),
      tp2Speedup: round(tp1.prefillMs / tp2.prefillMs, 3),
      prefillMsTp1: round(tp1.prefillMs, 1),
      prefillMsTp2: round(tp2.prefillMs, 1),
      decodeMsPerTokenTp1: round(tp1.decodeMs, 3),
      decodeMsPerTokenTp2: round(tp2.decodeMs, 3),
    };
    return figures;
  },
};

export default suite;
