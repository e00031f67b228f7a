// Logical (unsplit) weights of the synthetic model, defined element by element from the seed.
// Matrices are [in, out] (y = x · W); shards only choose which rows and columns they generate.

import { headDim, type ModelConfig } from '../../sim/perf/model-config.ts';
import { streamKey, uniformAt } from './rng.ts';

export type LayerTensor = 'attnNorm' | 'wq' | 'wk' | 'wv' | 'wo' | 'mlpNorm' | 'wGate' | 'wUp' | 'wDown';
export type GlobalTensor = 'embedding' | 'finalNorm' | 'lmHead';

const LAYER_TENSORS: readonly LayerTensor[] = ['attnNorm', 'wq', 'wk', 'wv', 'wo', 'mlpNorm', 'wGate', 'wUp', 'wDown'];
const GLOBAL_TENSORS: readonly GlobalTensor[] = ['embedding', 'finalNorm', 'lmHead'];

export interface TensorShape {
  readonly rows: number;
  readonly cols: number;
}

/** A generator for one tensor: `at(row, col)` is its element; norms are rows=1. */
export interface TensorSource extends TensorShape {
  at(row: number, col: number): number;
  /** Writes rows [row0, row0 + rows) of column `col` to out[dst + i * stride]: the fast path for packing. */
  column(out: Float32Array, dst: number, stride: number, row0: number, col: number, rows: number): void;
}

function layerShape(model: ModelConfig, name: LayerTensor): TensorShape {
  const hd = headDim(model);
  switch (name) {
    case 'attnNorm':
    case 'mlpNorm':
      return { rows: 1, cols: model.hidden };
    case 'wq':
      return { rows: model.hidden, cols: model.heads * hd };
    case 'wk':
    case 'wv':
      return { rows: model.hidden, cols: model.kvHeads * hd };
    case 'wo':
      return { rows: model.heads * hd, cols: model.hidden };
    case 'wGate':
    case 'wUp':
      return { rows: model.hidden, cols: model.mlp };
    case 'wDown':
      return { rows: model.mlp, cols: model.hidden };
  }
}

function globalShape(model: ModelConfig, name: GlobalTensor): TensorShape {
  switch (name) {
    case 'embedding':
      return { rows: model.vocab, cols: model.hidden };
    case 'finalNorm':
      return { rows: 1, cols: model.hidden };
    case 'lmHead':
      return { rows: model.hidden, cols: model.vocab };
  }
}

/** Norm gains sit near 1; projections keep unit variance (uniform with variance 1/fan_in). */
function source(shape: TensorShape, key: number, kind: 'norm' | 'embedding' | 'linear'): TensorSource {
  const { rows, cols } = shape;
  if (kind === 'norm') {
    const at = (_r: number, c: number): number => 1 + 0.1 * uniformAt(key, c);
    return { rows, cols, at, column: (out, dst, _stride, _row0, col) => void (out[dst] = at(0, col)) };
  }
  const scale = kind === 'embedding' ? 1 : Math.sqrt(3 / rows);
  return {
    rows,
    cols,
    at: (r, c) => scale * uniformAt(key, r * cols + c),
    column(out, dst, stride, row0, col, n) {
      for (let i = 0, index = row0 * cols + col; i < n; i++, index += cols)
        out[dst + i * stride] = scale * uniformAt(key, index);
    },
  };
}

export function layerTensor(model: ModelConfig, seed: number, layer: number, name: LayerTensor): TensorSource {
  const id = layer * 16 + LAYER_TENSORS.indexOf(name);
  const kind = name === 'attnNorm' || name === 'mlpNorm' ? 'norm' : 'linear';
  return source(layerShape(model, name), streamKey(seed, id), kind);
}

export function globalTensor(model: ModelConfig, seed: number, name: GlobalTensor): TensorSource {
  const id = 1_000_000 + GLOBAL_TENSORS.indexOf(name);
  const kind = name === 'finalNorm' ? 'norm' : name === 'embedding' ? 'embedding' : 'linear';
  return source(globalShape(model, name), streamKey(seed, id), kind);
}

/** Materialises a whole tensor row-major (reference model and tests). */
export function materialize(t: TensorSource): Float32Array {
  const out = new Float32Array(t.rows * t.cols);
  for (let r = 0; r < t.rows; r++) {
    for (let c = 0; c < t.cols; c++) out[r * t.cols + c] = t.at(r, c);
  }
  return out;
}
