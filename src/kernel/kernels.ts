// Typed wrappers over the instantiated WASM kernels. Arguments are float offsets (indices into a
// Float32Array over the shared memory) and float strides; the wrappers convert them to bytes.

import { exportedFunction, Wasm, type WasmMemory } from './wasm-api.ts';
import type { KernelModules } from './wasm-modules.ts';

type GemmFn = (
  a: number,
  lda: number,
  bp: number,
  k: number,
  c: number,
  ldc: number,
  m: number,
  n: number,
  acc: number,
  scratch: number,
  scratchBytes: number,
) => void;
type AttentionFn = (
  q: number,
  ldq: number,
  kc: number,
  vc: number,
  headStride: number,
  out: number,
  ldo: number,
  n: number,
  pos0: number,
  nh: number,
  group: number,
  hd: number,
  scratch: number,
  scale: number,
) => void;
type RmsNormFn = (
  x: number,
  ldx: number,
  w: number,
  out: number,
  ldo: number,
  rows: number,
  n: number,
  eps: number,
) => void;
type SiluMulFn = (g: number, ldg: number, upOff: number, out: number, ldo: number, rows: number, n: number) => void;
type RopeFn = (src: number, dst: number, dstStride: number, nh: number, hd: number, cos: number, sin: number) => void;
type ScatterFn = (src: number, dst: number, dstStride: number, nh: number, hd: number) => void;
type AddIntoFn = (dst: number, src: number, n: number) => void;

/** Operand of a matrix product: a float offset and a row stride in floats. */
export interface MatrixRef {
  readonly at: number;
  readonly ld: number;
}

export class WasmKernels {
  readonly f32: Float32Array;
  readonly i32: Int32Array;
  private readonly gemmFn: GemmFn;
  private readonly attentionFn: AttentionFn;
  private readonly rmsnormFn: RmsNormFn;
  private readonly siluMulFn: SiluMulFn;
  private readonly ropeFn: RopeFn;
  private readonly scatterFn: ScatterFn;
  private readonly addIntoFn: AddIntoFn;

  constructor(
    modules: KernelModules,
    readonly memory: WasmMemory,
  ) {
    const imports = { env: { memory } };
    const gemm = new Wasm.Instance(modules.gemm, imports);
    const attention = new Wasm.Instance(modules.attention, imports);
    const pointwise = new Wasm.Instance(modules.pointwise, imports);
    this.gemmFn = exportedFunction(gemm, 'gemm');
    this.attentionFn = exportedFunction(attention, 'attention');
    this.rmsnormFn = exportedFunction(pointwise, 'rmsnorm');
    this.siluMulFn = exportedFunction(pointwise, 'silu_mul');
    this.ropeFn = exportedFunction(pointwise, 'rope');
    this.scatterFn = exportedFunction(pointwise, 'scatter_heads');
    this.addIntoFn = exportedFunction(pointwise, 'add_into');
    this.f32 = new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
  }

  /**
   * C[m x n] (+)= A[m x k] · B with B packed in 8-column panels (see pack.ts); n must be a multiple
   * of 8. `scratch` is a float offset of `scratchFloats` (>= 4k) floats for packed rows of A; it sets how
   * many rows are packed per block (scratchFloats / k, rounded down to a multiple of 4).
   */
  gemm(
    a: MatrixRef,
    bPacked: number,
    k: number,
    c: MatrixRef,
    m: number,
    n: number,
    accumulate: boolean,
    scratch: number,
    scratchFloats: number,
  ): void {
    if (m <= 0 || n <= 0) return;
    if (n % 8 !== 0 || k < 1 || scratchFloats < 4 * k)
      throw new RangeError(`gemm: bad shape n=${n} k=${k} scratch=${scratchFloats}`);
    this.gemmFn(
      a.at * 4,
      a.ld * 4,
      bPacked * 4,
      k,
      c.at * 4,
      c.ld * 4,
      m,
      n,
      accumulate ? 1 : 0,
      scratch * 4,
      scratchFloats * 4,
    );
  }

  /** Causal attention of n query rows (positions pos0..) over a [kvHead][maxSeq][hd] cache. */
  attention(
    q: MatrixRef,
    kCache: number,
    vCache: number,
    headStride: number,
    out: MatrixRef,
    n: number,
    pos0: number,
    heads: number,
    group: number,
    hd: number,
    scratch: number,
    scale: number,
  ): void {
    this.attentionFn(
      q.at * 4,
      q.ld * 4,
      kCache * 4,
      vCache * 4,
      headStride * 4,
      out.at * 4,
      out.ld * 4,
      n,
      pos0,
      heads,
      group,
      hd,
      scratch * 4,
      scale,
    );
  }

  rmsnorm(x: MatrixRef, weight: number, out: MatrixRef, rows: number, n: number, eps: number): void {
    this.rmsnormFn(x.at * 4, x.ld * 4, weight * 4, out.at * 4, out.ld * 4, rows, n, eps);
  }

  /** out = silu(gate) * up; gate is the first n floats of each row of `gu`, up starts `upOffset` floats later. */
  siluMul(gu: MatrixRef, upOffset: number, out: MatrixRef, rows: number, n: number): void {
    this.siluMulFn(gu.at * 4, gu.ld * 4, upOffset * 4, out.at * 4, out.ld * 4, rows, n);
  }

  rope(src: number, dst: number, dstStride: number, heads: number, hd: number, cos: number, sin: number): void {
    this.ropeFn(src * 4, dst * 4, dstStride * 4, heads, hd, cos * 4, sin * 4);
  }

  scatterHeads(src: number, dst: number, dstStride: number, heads: number, hd: number): void {
    this.scatterFn(src * 4, dst * 4, dstStride * 4, heads, hd);
  }

  addInto(dst: number, src: number, n: number): void {
    if (n > 0) this.addIntoFn(dst * 4, src * 4, n);
  }
}
