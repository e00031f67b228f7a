// Reads the calibration CSVs (data/calibration/) into the samples the fits take.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { EngineName } from '../../sim/perf/engines.ts';
import type { AllReduceSample } from '../../sim/perf/fit/all-reduce.ts';
import type { ServingSample } from '../../sim/perf/fit/end-to-end.ts';
import { GEMM_OPS, VIDUR_POINTWISE, type OperatorSample, type ProfiledShape } from '../../sim/perf/fit/operators.ts';

export const CALIBRATION_DIR = new URL('../../data/calibration/', import.meta.url);

type Row = Record<string, string>;

function rows(file: string): Row[] {
  return parse(readFileSync(new URL(file, CALIBRATION_DIR), 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  }) as Row[];
}

function number(row: Row, column: string, file: string): number {
  const value = Number(row[column]);
  if (row[column] === undefined || row[column] === '' || !Number.isFinite(value))
    throw new Error(`${file}: column "${column}" is not a number in row ${JSON.stringify(row).slice(0, 120)}`);
  return value;
}

/** Vidur's per-operator profile: every operator's median, by TP and tokens; and the profiled layer's shape. */
export function readOperatorProfile(file: string): { shape: ProfiledShape; samples: OperatorSample[] } {
  const table = rows(file);
  const first = table[0]!;
  const shape = {
    heads: number(first, 'n_head', file),
    kvHeads: number(first, 'n_kv_head', file),
    hidden: number(first, 'n_embd', file),
    ffn: number(first, 'n_expanded_embd', file),
  };
  const samples: OperatorSample[] = [];
  for (const row of table) {
    const tp = number(row, 'num_tensor_parallel_workers', file);
    const tokens = number(row, 'num_tokens', file);
    for (const op of [...GEMM_OPS, ...Object.keys(VIDUR_POINTWISE)]) {
      const ms = number(row, `time_stats.${op}.median`, file);
      samples.push({ op: VIDUR_POINTWISE[op] ?? (op as (typeof GEMM_OPS)[number]), tp, tokens, seconds: ms / 1000 });
    }
  }
  return { shape, samples };
}

export function readAllReduceProfile(file: string): AllReduceSample[] {
  return rows(file)
    .filter((row) => row.collective === 'all_reduce')
    .map((row) => ({
      ranks: number(row, 'num_workers', file),
      devicesPerNode: number(row, 'devices_per_node', file),
      bytes: 2 * number(row, 'size', file),
      seconds: number(row, 'time_stats.all_reduce.median', file) / 1000,
    }));
}

const SYSTEMS: Readonly<Record<string, string>> = {
  h100_sxm: 'H100-SXM-80GB',
  h200_sxm: 'H200-SXM-141GB',
  b200_sxm: 'B200-SXM-180GB',
};
const MODELS: Readonly<Record<string, string>> = {
  'meta-llama/Llama-3.1-8B-Instruct': 'llama-3.1-8b',
  'nvidia/Llama-3.1-8B-Instruct-FP8': 'llama-3.1-8b',
  'Qwen/Qwen3-32B': 'qwen3-32b',
  'nvidia/Qwen3-32B-NVFP4': 'qwen3-32b',
};
const DTYPES: Readonly<Record<string, string>> = {
  fp8: 'fp8',
  fp8_block: 'fp8',
  nvfp4: 'fp4',
  '': 'bf16',
  bf16: 'bf16',
  float16: 'fp16',
};
const ENGINES: Readonly<Record<string, EngineName>> = { vllm: 'vllm', trtllm: 'trtllm', sglang: 'sglang' };

/**
 * aiconfigurator's measured deployments, aggregated mode only (one engine serving both phases); GB200 rows,
 * disaggregated ones and those whose two concurrency columns disagree are returned in `skipped` with the reason.
 */
export function readServingSamples(file: string): { samples: ServingSample[]; skipped: string[] } {
  const samples: ServingSample[] = [];
  const skipped: string[] = [];
  for (const row of rows(file)) {
    const id = row.id ?? '?';
    const gpu = SYSTEMS[row.system ?? ''];
    const model = MODELS[row.model_path ?? ''];
    const engine = ENGINES[row.backend ?? ''];
    const dtype = DTYPES[row.gemm_quant_mode ?? ''];
    const concurrency = /silicon_concurrency=(\d+)/.exec(row.silicon_data_source ?? '')?.[1];
    if (row.mode !== 'agg') skipped.push(`${id}: ${row.mode} (prefill/decode disaggregated) is not one replica`);
    else if (gpu === undefined) skipped.push(`${id}: system ${row.system} is not in the GPU catalog`);
    else if (model === undefined || engine === undefined || dtype === undefined)
      skipped.push(`${id}: unknown model, backend or quantisation`);
    else if (concurrency !== undefined && row.batch_size !== '' && concurrency !== row.batch_size)
      skipped.push(`${id}: silicon_concurrency ${concurrency} and batch_size ${row.batch_size} disagree`);
    else {
      samples.push({
        id,
        model,
        gpu,
        engine,
        dtype,
        tp: number(row, 'tp_size', file),
        pp: number(row, 'pp_size', file),
        inputTokens: number(row, 'isl', file),
        outputTokens: number(row, 'osl', file),
        concurrency: concurrency !== undefined ? Number(concurrency) : number(row, 'batch_size', file),
        ttftSeconds: number(row, 'silicon_ttft_ms', file) / 1000,
        tpotSeconds: number(row, 'silicon_tpot_ms', file) / 1000,
      });
    }
  }
  return { samples, skipped };
}
