// Benchmarks of the tensor-parallel inference kernel: the WASM SIMD gemm against plain TypeScript
// and numpy/OpenBLAS (same shape, one thread), and TP=1 vs TP=2 prefill and decode of a layer stack.
// cpuScaling2 (two concurrent single-thread gemm processes over one) is the ceiling for tp2Speedup on
// the machine at that moment: a shared VM often gives far less than two independent cores.

import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Bench } from 'tinybench';
import type { BenchSuite, Figures } from '../suite.ts';
import type { ModelConfig } from '../../sim/perf/model-config.ts';
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
  layers: 4,
  hidden: 1024,
  heads: 16,
  kvHeads: 8,
  mlp: 4096,
  vocab: 258,
  maxSeq: 576,
  ropeTheta: 10_000,
  normEps: 1e-5,
};
const PREFILL_TOKENS = 512;
const DECODE_TOKENS = 32;
const ROUNDS = 7;

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
  const kernels = new WasmKernels(
    await kernelModules(),
    new Wasm.Memory({ initial: pages, maximum: pages, shared: true }),
  );
  const [aAt, bAt, cAt, sAt] = [0, M * K, M * K + packedFloats(K, N), M * K + packedFloats(K, N) + M * N];
  kernels.f32.set(a, aAt);
  packRowMajor(kernels.f32, bAt, b, K, N);
  const c = new Float32Array(M * N);
  const bench = new Bench({ iterations: 20, time: 0, warmupIterations: 5 });
  bench.add('wasm', () =>
    kernels.gemm({ at: aAt, ld: K }, bAt, K, { at: cAt, ld: N }, M, N, false, sAt, scratchFloats),
  );
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

/** One WASM gemm measurement in a child process (median GFLOP/s of the shape). */
const PROBE_SCRIPT = `
const { WasmKernels } = await import(${JSON.stringify(new URL('../../src/kernel/kernels.ts', import.meta.url).href)});
const { Wasm } = await import(${JSON.stringify(new URL('../../src/kernel/wasm-api.ts', import.meta.url).href)});
const { kernelModules } = await import(${JSON.stringify(new URL('../../src/kernel/wasm-modules.ts', import.meta.url).href)});
const k = new WasmKernels(await kernelModules(), new Wasm.Memory({ initial: 160, maximum: 160, shared: true }));
for (let i = 0; i < ${M * K + K * N}; i++) k.f32[i] = Math.sin(i);
const run = () => k.gemm({ at: 0, ld: ${K} }, ${M * K}, ${K}, { at: ${M * K + K * N}, ld: ${N} }, ${M}, ${N}, false, ${M * K + K * N + M * N}, 131072);
for (let i = 0; i < 5; i++) run();
const ts = [];
for (let i = 0; i < 15; i++) { const t = performance.now(); run(); ts.push(performance.now() - t); }
ts.sort((a, b) => a - b);
console.log(${FLOPS} / ts[7] / 1e6);
`;

async function probeGflops(): Promise<number> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const { stdout } = await run(process.execPath, ['--import', tsx, '--input-type=module', '-e', PROBE_SCRIPT], {
    timeout: 120_000,
  });
  return Number(stdout.trim());
}

/**
 * How well this machine runs two FP-bound threads at once: two concurrent single-thread gemm
 * processes over one alone (2.0 = two independent cores). The ceiling for tp2Speedup on this VM.
 */
async function cpuScaling(log: (line: string) => void): Promise<number> {
  const alone = await probeGflops();
  const pair = await Promise.all([probeGflops(), probeGflops()]);
  const scaling = (pair[0] + pair[1]) / alone;
  log(
    `two concurrent gemm processes: ${pair.map((g) => g.toFixed(1)).join(' + ')} vs ${alone.toFixed(1)} GFLOP/s alone ` +
      `(scaling ${scaling.toFixed(2)})`,
  );
  return scaling;
}

interface StackFigures {
  readonly prefillMs: [number, number];
  readonly decodeMs: [number, number];
  /** Median over rounds of TP=1 prefill time / TP=2 prefill time, the two measured back to back. */
  readonly speedup: number;
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/**
 * The layer stack at TP=1 (one thread) and TP=2 (two threads), in interleaved rounds so that
 * machine noise (this is a shared VM) hits both alike. Times are the engine's own clocks
 * (shared-memory timestamps of the sampling rank), fed to tinybench as overridden durations.
 */
async function stackFigures(log: (line: string) => void): Promise<StackFigures> {
  log(
    `layer stack (hidden ${STACK.hidden}, MLP ${STACK.mlp}, ${STACK.layers} layers) at TP=1 and TP=2: ` +
      `${PREFILL_TOKENS}-token prefill, ${DECODE_TOKENS}-token decode, ${ROUNDS} rounds…`,
  );
  const engines = [
    await createTpEngine({ model: STACK, tp: 1, pp: 1, threads: 1, seed: 1 }),
    await createTpEngine({ model: STACK, tp: 2, pp: 1, threads: 2, seed: 1 }),
  ] as const;
  try {
    const prompt = Array.from({ length: PREFILL_TOKENS }, (_, i) => (i * 37) % 256);
    const short = prompt.slice(0, 16);
    const samples = { prefill: [[], []] as number[][], decode: [[], []] as number[][] };
    for (let round = -1; round < ROUNDS; round++) {
      const bench = new Bench({ iterations: 1, time: 0, warmup: false });
      engines.forEach((engine, i) => {
        bench.add(`prefill${i}`, async () => ({ overriddenDuration: (await engine.generate(prompt, 1)).prefillMs }));
        bench.add(`decode${i}`, async () => ({
          overriddenDuration: (await engine.generate(short, DECODE_TOKENS, undefined, { stopAtEos: false }))
            .decodeMsPerToken,
        }));
      });
      await bench.run();
      if (round < 0) continue; // the first round warms up (tier-up of the WASM code in each worker)
      for (const i of [0, 1]) {
        samples.prefill[i]?.push(median(bench, `prefill${i}`));
        samples.decode[i]?.push(median(bench, `decode${i}`));
      }
    }
    const [p1, p2] = [samples.prefill[0] ?? [], samples.prefill[1] ?? []];
    const figures: StackFigures = {
      prefillMs: [medianOf(p1), medianOf(p2)],
      decodeMs: [medianOf(samples.decode[0] ?? []), medianOf(samples.decode[1] ?? [])],
      speedup: medianOf(p1.map((t, i) => t / (p2[i] ?? NaN))),
    };
    log(
      `  prefill ${figures.prefillMs.map((x) => x.toFixed(1)).join(' / ')} ms, ` +
        `decode ${figures.decodeMs.map((x) => x.toFixed(2)).join(' / ')} ms/token, speedup ${figures.speedup.toFixed(3)}`,
    );
    return figures;
  } finally {
    await Promise.all(engines.map((e) => e.close()));
  }
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

const suite: BenchSuite = {
  name: 'kernel',
  description:
    "WASM SIMD gemm vs plain TS vs OpenBLAS; TP=1 vs TP=2 prefill speedup (with the machine's two-thread scaling) and decode latency",
  async run(log) {
    const gemm = await gemmFigures(log);
    const blas = await openBlasGflops(log);
    const scaling = await cpuScaling(log);
    const stack = await stackFigures(log);
    const figures: Figures = {
      gemmGflops: round(gemm.wasm, 2),
      gemmGflopsJs: round(gemm.js, 2),
      gemmGflopsOpenBLAS: blas === null ? null : round(blas, 2),
      gemmVsOpenBLAS: blas === null ? null : round(gemm.wasm / blas, 3),
      tp2Speedup: round(stack.speedup, 3),
      cpuScaling2: round(scaling, 3),
      prefillMsTp1: round(stack.prefillMs[0], 1),
      prefillMsTp2: round(stack.prefillMs[1], 1),
      decodeMsPerTokenTp1: round(stack.decodeMs[0], 3),
      decodeMsPerTokenTp2: round(stack.decodeMs[1], 3),
    };
    return figures;
  },
};

export default suite;
