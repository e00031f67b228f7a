// Rotary position tables shared by the WASM kernel and the reference: [maxSeq][hd/2] cos and sin,
// computed in double precision and rounded once to float32.

import { headDim, type ModelConfig } from '../../sim/perf/model-config.ts';

export interface RopeTables {
  readonly cos: Float32Array;
  readonly sin: Float32Array;
}

export function ropeTables(model: ModelConfig): RopeTables {
  const half = headDim(model) / 2;
  const cos = new Float32Array(model.maxSeq * half);
  const sin = new Float32Array(model.maxSeq * half);
  for (let pos = 0; pos < model.maxSeq; pos++) {
    for (let i = 0; i < half; i++) {
      const angle = pos * model.ropeTheta ** (-i / half);
      cos[pos * half + i] = Math.cos(angle);
      sin[pos * half + i] = Math.sin(angle);
    }
  }
  return { cos, sin };
}
