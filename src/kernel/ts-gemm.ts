// Plain-TypeScript matrix multiply (row-major, no packing, no SIMD): the reference model's kernel and
// the baseline the WASM SIMD gemm is measured against.

/** Columns per block: four float64 accumulator rows of this width stay in L1. */
const JB = 256;

/** Four rows of C at once, so each loaded element of B feeds four multiply-adds. */
function rows4(a: Float32Array, b: Float32Array, acc: Float64Array[], i: number, k: number, n: number): void {
  const [c0, c1, c2, c3] = acc as [Float64Array, Float64Array, Float64Array, Float64Array];
  for (let j0 = 0; j0 < n; j0 += JB) {
    const j1 = Math.min(n, j0 + JB);
    for (let p = 0; p < k; p++) {
      const a0 = a[i * k + p]!;
      const a1 = a[(i + 1) * k + p]!;
      const a2 = a[(i + 2) * k + p]!;
      const a3 = a[(i + 3) * k + p]!;
      const bRow = p * n;
      for (let j = j0; j < j1; j++) {
        const bj = b[bRow + j]!;
        c0[j]! += a0 * bj;
        c1[j]! += a1 * bj;
        c2[j]! += a2 * bj;
        c3[j]! += a3 * bj;
      }
    }
  }
}

function row1(a: Float32Array, b: Float32Array, c0: Float64Array, i: number, k: number, n: number): void {
  for (let p = 0; p < k; p++) {
    const a0 = a[i * k + p]!;
    const bRow = p * n;
    for (let j = 0; j < n; j++) c0[j]! += a0 * b[bRow + j]!;
  }
}

/**
 * C[m x n] (+)= A[m x k] · B[k x n], all row-major, i-k-j order. Rows of C accumulate in float64 and
 * are rounded to float32 once.
 */
export function gemmTs(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  k: number,
  n: number,
  accumulate = false,
): void {
  const acc = [0, 1, 2, 3].map(() => new Float64Array(n));
  for (let i = 0; i < m;) {
    const rows = m - i >= 4 ? 4 : 1;
    for (let r = 0; r < rows; r++) {
      const row = acc[r]!;
      if (accumulate) row.set(c.subarray((i + r) * n, (i + r + 1) * n));
      else row.fill(0);
    }
    if (rows === 4) rows4(a, b, acc, i, k, n);
    else row1(a, b, acc[0]!, i, k, n);
    for (let r = 0; r < rows; r++) c.set(acc[r]!, (i + r) * n);
    i += rows;
  }
}
