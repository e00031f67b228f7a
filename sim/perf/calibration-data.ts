// Written by `npm run calibrate` (src/perf/calibrate.ts) from data/calibration/: do not edit by hand.
import type { Calibration } from './calibration.ts';
import type { StartMode } from './closed-loop.ts';
import type { EngineName } from './engines.ts';

export const CALIBRATION: Calibration = {
  devices: {
    'H100-SXM-80GB': {
      gemm: {
        peakEfficiency: 0.7434,
        halfTokens: 143.6,
        memoryEfficiency: 0.9583,
        launchSeconds: 0.000008001,
      },
      pointwise: {
        memoryEfficiency: 0.5819,
        launchSeconds: {
          norm: 0.000005328,
          rope: 0.000002407,
          act: 0.000002864,
          add: 5.689e-7,
          embedding: 0.00002034,
        },
      },
      allReduce: {
        '2': {
          latencySeconds: 0.0000264,
          efficiency: 1.457,
        },
        '4': {
          latencySeconds: 0.00003304,
          efficiency: 1.727,
        },
        '8': {
          latencySeconds: 0.00002973,
          efficiency: 1.517,
        },
      },
    },
    'A100-SXM-80GB': {
      gemm: {
        peakEfficiency: 0.7468,
        halfTokens: 81.79,
        memoryEfficiency: 0.8311,
        launchSeconds: 0.000009367,
      },
      pointwise: {
        memoryEfficiency: 0.5148,
        launchSeconds: {
          norm: 0.000006255,
          rope: 0.000003117,
          act: 0.000004082,
          add: 6.85e-7,
          embedding: 0.00003662,
        },
      },
      allReduce: {
        '2': {
          latencySeconds: 0.0000442,
          efficiency: 1.135,
        },
        '4': {
          latencySeconds: 0.00003795,
          efficiency: 1.064,
        },
        '8': {
          latencySeconds: 0.00004333,
          efficiency: 1.01,
        },
      },
    },
  },
  engines: {
    vllm: {
      iterationSeconds: 4.782e-14,
      perSequenceSeconds: 3.229e-14,
      allReduceLatencySeconds: 0.00001515,
      requestSeconds: 0.1836,
      attentionEfficiency: 1,
    },
    trtllm: {
      iterationSeconds: 4.277e-12,
      perSequenceSeconds: 0.00002954,
      allReduceLatencySeconds: 0.000005074,
      requestSeconds: 0.2752,
      attentionEfficiency: 0.8893,
    },
    sglang: {
      iterationSeconds: 0.004462,
      perSequenceSeconds: 0.00003529,
      allReduceLatencySeconds: 1.304e-15,
      requestSeconds: 2.505e-9,
      attentionEfficiency: 0.3745,
    },
  },
  source:
    'npm run calibrate: GEMM, pointwise and all-reduce fits to Vidur profiles (H100, A100); engine overheads to aiconfigurator silicon samples',
};

/** How each engine's benchmark clients start, as the end-to-end fit found best explains its rows. */
export const ENGINE_START_MODES: Readonly<Record<EngineName, StartMode>> = {
  vllm: 'staggered',
  trtllm: 'staggered',
  sglang: 'wave',
};

/** The fit's own error figures (MAPE, %), for BENCHMARKS.md and `lwsim perf models`. */
export const CALIBRATION_REPORT = {
  operators: ['| H100-SXM-80GB | 9.3% | 9.8% | 33.3% | 33.7% |', '| A100-SXM-80GB | 6.2% | 7.2% | 35.4% | 36.3% |'],
  allReduce: [
    '| H100-SXM-80GB | 2: 14.6%, 4: 8.5%, 8: 5.5% | — |',
    '| A100-SXM-80GB | 2: 6.1%, 4: 14.1%, 8: 12.4% | 2/1: 56.3%, 4/2: 72.5%, 8/4: 67.2%, 16/8: 82.6% |',
  ],
  modes: {
    vllm: 'staggered',
    trtllm: 'staggered',
    sglang: 'wave',
  },
  servingRows: 601,
  skippedRows: 29,
  inSample: [
    {
      group: 'sglang llama-3.1-8b H200-SXM-141GB',
      rows: 46,
      tpotMape: 29.44,
      ttftMape: 164.5,
    },
    {
      group: 'sglang qwen3-32b H100-SXM-80GB',
      rows: 84,
      tpotMape: 23.3,
      ttftMape: 11.4,
    },
    {
      group: 'trtllm llama-3.1-8b H100-SXM-80GB',
      rows: 177,
      tpotMape: 11.74,
      ttftMape: 67.98,
    },
    {
      group: 'trtllm qwen3-32b H100-SXM-80GB',
      rows: 180,
      tpotMape: 12.22,
      ttftMape: 44.48,
    },
    {
      group: 'vllm llama-3.1-8b H200-SXM-141GB',
      rows: 21,
      tpotMape: 66.21,
      ttftMape: 75.14,
    },
    {
      group: 'vllm qwen3-32b H100-SXM-80GB',
      rows: 93,
      tpotMape: 8.926,
      ttftMape: 46.9,
    },
    {
      group: 'all',
      rows: 601,
      tpotMape: 16.32,
      ttftMape: 57.41,
    },
  ],
  heldOutModel: [
    {
      group: 'llama-3.1-8b',
      rows: 244,
      tpotMape: 39.06,
      ttftMape: 103.8,
    },
    {
      group: 'qwen3-32b',
      rows: 357,
      tpotMape: 22,
      ttftMape: 47.09,
    },
    {
      group: 'all',
      rows: 601,
      tpotMape: 28.93,
      ttftMape: 70.12,
    },
  ],
  roofline: {
    group: 'all',
    rows: 601,
    tpotMape: 53.83,
    ttftMape: 77.59,
  },
} as const;
