import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GPU_CATALOG } from '../../sim/cluster/index.ts';
import { allReduceErrors } from '../../sim/perf/fit/all-reduce.ts';
import { fitGemm, predictGemm } from '../../sim/perf/fit/operators.ts';
import {
  CALIBRATION,
  CALIBRATION_REPORT,
  checkDeployment,
  estimateClosedLoop,
  LATENCY_MODELS,
} from '../../sim/perf/index.ts';
import { nelderMead } from '../../sim/stats/nelder-mead.ts';
import { readAllReduceProfile, readOperatorProfile } from '../../src/perf/calibration-files.ts';

const ROOT = join(import.meta.dirname, '../..');

describe('Nelder–Mead', () => {
  it('finds the minimum of the Rosenbrock valley', () => {
    const rosenbrock = ([x, y]: readonly number[]) => (1 - x!) ** 2 + 100 * (y! - x! ** 2) ** 2;
    const found = nelderMead(rosenbrock, [-1.2, 1], { maxIterations: 5000 });
    expect(found.x[0]).toBeCloseTo(1, 3);
    expect(found.x[1]).toBeCloseTo(1, 3);
  });
});

describe('the calibration', () => {
  it('is exactly what `npm run calibrate` makes of data/calibration/ (the committed file is reproducible)', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/perf/calibrate.ts', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.stderr).toContain('matches the calibration data');
    expect(r.status).toBe(0);
  }, 120_000);

  it('fits Vidur’s GEMM kernels within 10% and predicts a held-out TP degree as well', () => {
    const { shape, samples } = readOperatorProfile('vidur_h100_llama2_70b_mlp.csv');
    const gpu = GPU_CATALOG['H100-SXM-80GB'];
    const fit = fitGemm(
      gpu,
      shape,
      samples.filter((s) => s.tp !== 4),
    );
    const tp4 = samples.filter((s) => s.tp === 4 && s.op.startsWith('mlp_up'));
    const errors = tp4.map((s) => Math.abs(predictGemm(fit, gpu, shape, s) - s.seconds) / s.seconds);
    expect(errors.reduce((a, b) => a + b, 0) / errors.length).toBeLessThan(0.15);
    expect(fit.peakEfficiency).toBeGreaterThan(0.5);
    expect(fit.peakEfficiency).toBeLessThan(1);
  });

  it('fits NCCL all-reduce inside a DGX node', () => {
    const samples = readAllReduceProfile('vidur_a100_dgx_all_reduce.csv');
    const errors = allReduceErrors(GPU_CATALOG['A100-SXM-80GB'], samples, { bandwidthGbps: 200, latencyMicros: 5 });
    expect(Object.keys(errors.inNode).sort()).toEqual(['2', '4', '8']);
    for (const e of Object.values(errors.inNode)) expect(e).toBeLessThan(20);
    expect(Object.keys(errors.crossNode)).toContain('16/8');
  });

  it('records its own error figures, in sample and held out', () => {
    const all = CALIBRATION_REPORT.inSample.find((e) => e.group === 'all');
    const heldOut = CALIBRATION_REPORT.heldOutModel.find((e) => e.group === 'all');
    expect(all?.rows).toBeGreaterThan(500);
    expect(all!.tpotMape).toBeLessThan(CALIBRATION_REPORT.roofline.tpotMape);
    expect(heldOut!.tpotMape).toBeGreaterThan(0);
    expect(CALIBRATION.devices['H100-SXM-80GB']).toBeDefined();
  });
});

describe('the closed-loop estimate', () => {
  const checked = checkDeployment({ model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB', engine: 'trtllm' });
  const pricer = checked.ok ? LATENCY_MODELS.calibrated.create(checked.deployment) : undefined;

  it('gets slower per token as concurrency grows, and queues what the engine cannot run', () => {
    const at = (concurrency: number) =>
      estimateClosedLoop(pricer!, { inputTokens: 2048, outputTokens: 256, concurrency, burstFraction: 0 });
    expect(at(64).tpotSeconds).toBeGreaterThan(at(8).tpotSeconds);
    // The KV cache holds ~445k tokens: under 200 sequences of 2,304.
    const running = at(4096).running;
    expect(running).toBeLessThan(200);
    expect(at(running).running).toBe(running);
    expect(at(4096).ttftSeconds).toBeGreaterThan(at(running).ttftSeconds * 10);
  });

  it('puts a synchronised round’s prefill into TTFT and keeps it out of TPOT', () => {
    const load = { inputTokens: 4096, outputTokens: 256, concurrency: 64 } as const;
    const burst = estimateClosedLoop(pricer!, { ...load, burstFraction: 1 });
    const steady = estimateClosedLoop(pricer!, { ...load, burstFraction: 0 });
    const half = estimateClosedLoop(pricer!, { ...load, burstFraction: 0.5 });
    expect(burst.ttftSeconds).toBeGreaterThan(steady.ttftSeconds);
    expect(burst.tpotSeconds).toBeLessThan(steady.tpotSeconds);
    expect(half.tpotSeconds).toBeCloseTo((burst.tpotSeconds + steady.tpotSeconds) / 2, 12);
  });

  it('stalls decodes for prefill batches in an engine that does not mix them (SGLang)', () => {
    const load = { inputTokens: 4096, outputTokens: 128, concurrency: 64, burstFraction: 0 } as const;
    const of = (engine: string) => {
      const d = checkDeployment({ model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB', engine });
      return d.ok ? estimateClosedLoop(LATENCY_MODELS.roofline.create(d.deployment), load) : undefined;
    };
    // Without mixing, the prompt tokens cannot share the decodes' weight reads.
    expect(of('sglang')!.tpotSeconds).toBeGreaterThan(of('vllm')!.tpotSeconds);
  });
});
