// Written by `npm run calibrate` (src/perf/calibrate.ts) from data/calibration/: do not edit by hand.
import type { Calibration } from './calibration.ts';

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
      iterationSeconds: 8.953e-14,
      attentionSequenceSeconds: 3.388e-7,
      allReduceLatencySeconds: 0.00001298,
      requestSeconds: 0.05672,
      attentionEfficiency: 1,
      burstFraction: 0.1192,
    },
    trtllm: {
      iterationSeconds: 1.116e-11,
      attentionSequenceSeconds: 0.000001339,
      allReduceLatencySeconds: 0.000002319,
      requestSeconds: 0.1488,
      attentionEfficiency: 1,
      burstFraction: 0.1778,
    },
    sglang: {
      iterationSeconds: 0.0005301,
      attentionSequenceSeconds: 8.108e-7,
      allReduceLatencySeconds: 2.102e-14,
      requestSeconds: 0.3596,
      attentionEfficiency: 0.5165,
      burstFraction: 0.5739,
    },
  },
  source:
    'npm run calibrate: GEMM, pointwise and all-reduce fits to Vidur profiles (H100, A100); engine overheads to aiconfigurator silicon samples',
};

/** The fit's own error figures (MAPE, %), for BENCHMARKS.md and `lwsim perf models`. */
export const CALIBRATION_REPORT = {
  operators: ['| H100-SXM-80GB | 9.3% | 9.8% | 33.3% | 33.7% |', '| A100-SXM-80GB | 6.2% | 7.2% | 35.4% | 36.3% |'],
  allReduce: [
    '| H100-SXM-80GB | 2: 14.6%, 4: 8.5%, 8: 5.5% | — |',
    '| A100-SXM-80GB | 2: 6.1%, 4: 14.1%, 8: 12.4% | 2/1: 56.3%, 4/2: 72.5%, 8/4: 67.2%, 16/8: 82.6% |',
  ],
  servingRows: 601,
  skippedRows: 29,
  inSample: [
    {
      group: 'sglang llama-3.1-8b H200-SXM-141GB',
      rows: 46,
      tpotMape: 18.2,
      ttftMape: 97.14,
    },
    {
      group: 'sglang qwen3-32b H100-SXM-80GB',
      rows: 84,
      tpotMape: 16.35,
      ttftMape: 26.05,
    },
    {
      group: 'trtllm llama-3.1-8b H100-SXM-80GB',
      rows: 177,
      tpotMape: 9.23,
      ttftMape: 44.52,
    },
    {
      group: 'trtllm qwen3-32b H100-SXM-80GB',
      rows: 180,
      tpotMape: 12.41,
      ttftMape: 23.17,
    },
    {
      group: 'vllm llama-3.1-8b H200-SXM-141GB',
      rows: 21,
      tpotMape: 58.48,
      ttftMape: 109.8,
    },
    {
      group: 'vllm qwen3-32b H100-SXM-80GB',
      rows: 93,
      tpotMape: 8.664,
      ttftMape: 21.65,
    },
    {
      group: 'all',
      rows: 601,
      tpotMape: 13.5,
      ttftMape: 38.31,
    },
  ],
  heldOutModel: [
    {
      group: 'llama-3.1-8b',
      rows: 244,
      tpotMape: 30.21,
      ttftMape: 68.81,
    },
    {
      group: 'qwen3-32b',
      rows: 357,
      tpotMape: 27.37,
      ttftMape: 37.52,
    },
    {
      group: 'all',
      rows: 601,
      tpotMape: 28.52,
      ttftMape: 50.22,
    },
  ],
  roofline: {
    group: 'all',
    rows: 601,
    tpotMape: 46.06,
    ttftMape: 87.18,
  },
} as const;
