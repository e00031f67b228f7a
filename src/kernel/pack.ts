// Panel packing of weight matrices for the WASM gemm: 8-column panels, each holding all k rows of
// its 8 columns contiguously, so the micro-kernel streams B with sequential v128 loads.

export const PANEL = 8;

export function roundUp(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}

/** Floats taken by a packed [k x n] matrix (n padded to whole panels). */
export function packedFloats(k: number, n: number): number {
  return k * roundUp(n, PANEL);
}

/**
 * Writes a packed [k x n] matrix at float offset `dst`; element (r, c) comes from `at`.
 * Padding columns (n up to a whole panel) are zero.
 */
export function packPanels(
  out: Float32Array,
  dst: number,
  k: number,
  n: number,
  at: (r: number, c: number) => number,
): void {
  const panels = roundUp(n, PANEL) / PANEL;
  for (let p = 0; p < panels; p++) {
    const base = dst + p * k * PANEL;
    for (let c = 0; c < PANEL; c++) {
      const col = p * PANEL + c;
      if (col >= n) {
        for (let r = 0; r < k; r++) out[base + r * PANEL + c] = 0;
        continue;
      }
      for (let r = 0; r < k; r++) out[base + r * PANEL + c] = at(r, col);
    }
  }
}

/** Writes `rows` values of column `col` to out[dst + i * stride]. */
export type ColumnWriter = (out: Float32Array, dst: number, stride: number, col: number, rows: number) => void;

/** Like packPanels, a whole column per call: the weight generators fill columns without per-element calls. */
export function packColumns(out: Float32Array, dst: number, k: number, n: number, column: ColumnWriter): void {
  const panels = roundUp(n, PANEL) / PANEL;
  for (let p = 0; p < panels; p++) {
    const base = dst + p * k * PANEL;
    for (let c = 0; c < PANEL; c++) {
      const col = p * PANEL + c;
      if (col < n) column(out, base + c, PANEL, col, k);
      else for (let r = 0; r < k; r++) out[base + r * PANEL + c] = 0;
    }
  }
}

/** Packs a row-major [k x n] matrix. */
export function packRowMajor(out: Float32Array, dst: number, src: Float32Array, k: number, n: number): void {
  packPanels(out, dst, k, n, (r, c) => src[r * n + c] ?? 0);
}
