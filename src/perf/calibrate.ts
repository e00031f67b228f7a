/**
 * `npm run calibrate`: fits the performance model's constants to data/calibration/ and writes them, with the fit's
 * own error figures, to sim/perf/calibration-data.ts; prints the error tables (Markdown) for BENCHMARKS.md.
 * Deterministic: the same files give the same constants, byte for byte. `--check` writes nothing and fails when the
 * committed file differs from what the data gives.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { GPU_CATALOG } from '../../sim/cluster/gpu-catalog.ts';
import { IDEAL_CALIBRATION, type Calibration, type DeviceFit } from '../../sim/perf/calibration.ts';
import { allReduceErrors, fitAllReduce } from '../../sim/perf/fit/all-reduce.ts';
import {
  errorsBy,
  fitEngines,
  leaveOneModelOut,
  predict,
  priceable,
  type ServingError,
} from '../../sim/perf/fit/end-to-end.ts';
import { fitGemm, fitPointwise, operatorErrors } from '../../sim/perf/fit/operators.ts';
import { readAllReduceProfile, readOperatorProfile, readServingSamples } from './calibration-files.ts';

/** The scale-out NIC per GPU of the DGX systems Vidur profiled: HDR 200 Gb/s (A100), NDR 400 Gb/s (H100). */
const PROFILED = [
  { gpu: GPU_CATALOG['H100-SXM-80GB'], file: 'h100', network: { bandwidthGbps: 400, latencyMicros: 5 } },
  { gpu: GPU_CATALOG['A100-SXM-80GB'], file: 'a100', network: { bandwidthGbps: 200, latencyMicros: 5 } },
] as const;

const DATA_FILE = new URL('../../sim/perf/calibration-data.ts', import.meta.url);

const round = (x: number, digits = 4): number => Number(x.toPrecision(digits));
const pct = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(1)}%` : '—');

function main(check: boolean): number {
  const devices: Record<string, DeviceFit> = {};
  const operatorTable: string[] = [];
  const allReduceTable: string[] = [];
  for (const { gpu, file, network } of PROFILED) {
    const { shape, samples } = readOperatorProfile(`vidur_${file}_llama2_70b_mlp.csv`);
    const reduce = readAllReduceProfile(`vidur_${file}_dgx_all_reduce.csv`);
    devices[gpu.id] = {
      gemm: fitGemm(gpu, shape, samples),
      pointwise: fitPointwise(gpu, shape, samples),
      allReduce: fitAllReduce(gpu, reduce, network),
    };
    const e = operatorErrors(gpu, shape, samples);
    operatorTable.push(
      `| ${gpu.id} | ${pct(e.gemm)} | ${pct(e.gemmHeldOutTp4)} | ${pct(e.pointwise)} | ${pct(e.pointwiseHeldOutTp4)} |`,
    );
    const r = allReduceErrors(gpu, reduce, network);
    allReduceTable.push(
      `| ${gpu.id} | ${Object.entries(r.inNode)
        .map(([n, x]) => `${n}: ${pct(x)}`)
        .join(', ')} | ${
        Object.entries(r.crossNode)
          .map(([n, x]) => `${n}: ${pct(x)}`)
          .join(', ') || '—'
      } |`,
    );
  }
  const kernels: Calibration = { ...IDEAL_CALIBRATION, devices, source: '' };
  const { samples, skipped: unread } = readServingSamples('aiconfigurator_silicon_calibration.csv');
  const { usable, skipped: unpriced } = priceable(samples);
  const engines = fitEngines(kernels, usable);
  const calibration: Calibration = {
    devices: roundDeep(devices),
    engines: roundDeep(engines),
    source:
      'npm run calibrate: GEMM, pointwise and all-reduce fits to Vidur profiles (H100, A100); engine overheads to aiconfigurator silicon samples',
  };
  const inSample = predict(calibration, usable);
  const heldOut = leaveOneModelOut(kernels, usable);
  const roofline = predict(IDEAL_CALIBRATION, usable);
  const byGroup = (s: { engine: string; model: string; gpu: string }): string => `${s.engine} ${s.model} ${s.gpu}`;
  const overall = (p: typeof inSample): ServingError => ({ ...errorsBy(p, () => 'all')[0]!, group: 'all' });
  const report = {
    operators: operatorTable,
    allReduce: allReduceTable,
    servingRows: usable.length,
    skippedRows: unread.length + unpriced.length,
    inSample: [...errorsBy(inSample, byGroup), overall(inSample)],
    heldOutModel: [...errorsBy(heldOut, (s) => s.model), overall(heldOut)],
    roofline: overall(roofline),
  };
  const text = `// Written by \`npm run calibrate\` (src/perf/calibrate.ts) from data/calibration/: do not edit by hand.
import type { Calibration } from './calibration.ts';

export const CALIBRATION: Calibration = ${JSON.stringify(calibration, null, 2)};

/** The fit's own error figures (MAPE, %), for BENCHMARKS.md and \`lwsim perf models\`. */
export const CALIBRATION_REPORT = ${JSON.stringify(roundDeep(report), null, 2)} as const;
`;
  const committed = existsSync(DATA_FILE) ? readFileSync(DATA_FILE, 'utf8') : '';
  if (check) {
    // Formatting is prettier's; compare the content.
    const squash = (t: string): string => t.replace(/[\s,"']/g, '');
    if (squash(committed) !== squash(text)) {
      process.stderr.write('sim/perf/calibration-data.ts is not what `npm run calibrate` writes: run it and commit\n');
      return 1;
    }
    process.stderr.write('sim/perf/calibration-data.ts matches the calibration data\n');
    return 0;
  }
  writeFileSync(DATA_FILE, text);
  const servingTable = (errors: readonly ServingError[]): string =>
    errors.map((e) => `| ${e.group} | ${e.rows} | ${pct(e.tpotMape)} | ${pct(e.ttftMape)} |`).join('\n');
  process.stdout.write(`## Kernels (Vidur profiles of Llama-2-70B layers), MAPE

| GPU | GEMM | GEMM, TP 4 held out | pointwise | pointwise, TP 4 held out |
|---|---|---|---|---|
${operatorTable.join('\n')}

## All-reduce (Vidur NCCL profiles), MAPE by ranks (in node) and ranks/GPUs-per-node (across nodes, predicted)

| GPU | in node | across nodes |
|---|---|---|
${allReduceTable.join('\n')}

## Serving (aiconfigurator silicon samples), ${usable.length} rows priced, ${unread.length + unpriced.length} left out

Engines: ${Object.entries(engines)
    .map(
      ([e, f]) =>
        `${e} burst fraction ${f.burstFraction.toFixed(2)}, attention efficiency ${f.attentionEfficiency.toFixed(2)}`,
    )
    .join('; ')}.

In sample:

| engine model GPU | rows | TPOT MAPE | TTFT MAPE |
|---|---|---|---|
${servingTable(report.inSample)}

Leave one model out (engine overheads fitted on the other model):

| model held out | rows | TPOT MAPE | TTFT MAPE |
|---|---|---|---|
${servingTable(report.heldOutModel)}

Roofline (no fitted constant): TPOT ${pct(report.roofline.tpotMape)}, TTFT ${pct(report.roofline.ttftMape)}.
`);
  for (const line of [...unread, ...unpriced]) process.stderr.write(`left out: ${line}\n`);
  return 0;
}

/** Four significant digits: the committed file stays readable and diffs stay small. */
function roundDeep<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_, v: unknown) => (typeof v === 'number' ? round(v) : v))) as T;
}

process.exitCode = main(process.argv.includes('--check'));
