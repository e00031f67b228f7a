import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { WasmKernels } from '../../src/kernel/kernels.ts';
import { packedFloats, packRowMajor, PANEL } from '../../src/kernel/pack.ts';
import { gemmTs } from '../../src/kernel/ts-gemm.ts';
import { Wasm } from '../../src/kernel/wasm-api.ts';
import { kernelModules } from '../../src/kernel/wasm-modules.ts';
import { relativeError } from './support.ts';

// The WASM SIMD gemm (packed panels, 4x8 micro-kernel, row kernels for leftovers, row blocks sized by
// the scratch) against the plain-TS gemm.
let kernels: WasmKernels;

beforeAll(async () => {
  kernels = new WasmKernels(await kernelModules(), new Wasm.Memory({ initial: 512, maximum: 512, shared: true }));
});

function random(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32 - 0.5;
  });
}

/** Runs both kernels on the same operands (C preset to `c0` when accumulating). */
function compare(m: number, k: number, n: number, accumulate: boolean, scratchFloats: number, seed: number): number {
  const a = random(m * k, seed);
  const b = random(k * n, seed + 1);
  const c0 = random(m * n, seed + 2);
  const aAt = 0;
  const bAt = m * k + 16;
  const cAt = bAt + packedFloats(k, n) + 16;
  const sAt = cAt + m * n + 16;
  const f32 = kernels.f32;
  f32.set(a, aAt);
  packRowMajor(f32, bAt, b, k, n);
  f32.set(c0, cAt);
  kernels.gemm({ at: aAt, ld: k }, bAt, k, { at: cAt, ld: n }, m, n, accumulate, sAt, scratchFloats);
  const expected = c0.slice();
  gemmTs(a, b, expected, m, k, n, accumulate);
  return relativeError(f32.slice(cAt, cAt + m * n), expected);
}

describe('WASM gemm', () => {
  it.each([
    [1, 64, 8],
    [1, 100, 40],
    [3, 7, 16],
    [4, 1, 8],
    [5, 33, 24],
    [64, 128, 64],
    [130, 96, 264],
    [512, 512, 256],
  ])('matches the TS gemm for m=%i k=%i n=%i', (m, k, n) => {
    expect(compare(m, k, n, false, 1 << 17, m * 31 + k)).toBeLessThan(1e-5);
    expect(compare(m, k, n, true, 1 << 17, m * 17 + n)).toBeLessThan(1e-5);
  });

  it('splits rows into several packed blocks when the scratch is small', () => {
    // 4 * k floats is the least scratch: one 4-row block at a time; 16 * k packs 16 rows at a time.
    expect(compare(37, 300, 48, false, 4 * 300, 9)).toBeLessThan(1e-5);
    expect(compare(37, 300, 48, true, 16 * 300, 10)).toBeLessThan(1e-5);
  });

  it('matches on random shapes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 9 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 1000 }),
        (m, k, panels, accumulate, seed) => compare(m, k, panels * PANEL, accumulate, 4 * k + 4 * seed, seed) < 1e-5,
      ),
      { numRuns: 60 },
    );
  });
});
