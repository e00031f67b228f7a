// The engines' per-iteration overheads, fitted to measured TTFT and TPOT of real deployments (aiconfigurator's
// silicon samples) through the closed-loop estimate, with the kernels' constants already fitted per operator.
import { nelderMead } from '../../stats/nelder-mead.ts';
import type { Calibration, EngineFit } from '../calibration.ts';
import { estimateClosedLoop } from '../closed-loop.ts';
import { checkDeployment, type Deployment } from '../deployment.ts';
import { ENGINE_NAMES, type EngineName } from '../engines.ts';
import { IterationPricer } from '../iteration.ts';
import { planMemory } from '../memory.ts';
import { fraction, logit, logLoss, mape, positive } from './error.ts';

/** One measured deployment under a closed-loop load. */
export interface ServingSample {
  readonly id: string;
  readonly model: string;
  readonly gpu: string;
  readonly engine: EngineName;
  readonly dtype: string;
  readonly tp: number;
  readonly pp: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly concurrency: number;
  readonly ttftSeconds: number;
  readonly tpotSeconds: number;
}

interface Priced {
  readonly sample: ServingSample;
  readonly deployment: Deployment;
}

/** The samples the model can price (known model and GPU, fits in memory), and why the others were left out. */
export function priceable(samples: readonly ServingSample[]): { usable: Priced[]; skipped: string[] } {
  const usable: Priced[] = [];
  const skipped: string[] = [];
  for (const sample of samples) {
    const checked = checkDeployment(sample);
    if (!checked.ok) {
      skipped.push(`${sample.id}: ${checked.message}`);
      continue;
    }
    const memory = planMemory(checked.deployment);
    if (!memory.ok) skipped.push(`${sample.id}: ${memory.message}`);
    else usable.push({ sample, deployment: checked.deployment });
  }
  return { usable, skipped };
}

export interface Prediction {
  readonly sample: ServingSample;
  readonly ttftSeconds: number;
  readonly tpotSeconds: number;
}

export function predict(calibration: Calibration, rows: readonly Priced[]): Prediction[] {
  return rows.map(({ sample, deployment }) => {
    const latency = estimateClosedLoop(new IterationPricer(deployment, calibration), {
      inputTokens: sample.inputTokens,
      outputTokens: sample.outputTokens,
      concurrency: sample.concurrency,
      burstFraction: calibration.engines[sample.engine].burstFraction,
    });
    return { sample, ...latency };
  });
}

/** TTFT counts a quarter: queueing in the harness makes it far noisier than TPOT. */
const TTFT_WEIGHT = 0.25;

function loss(predictions: readonly Prediction[]): number {
  const tpot = logLoss(predictions.map((p) => ({ predicted: p.tpotSeconds, measured: p.sample.tpotSeconds })));
  const ttft = logLoss(predictions.map((p) => ({ predicted: p.ttftSeconds, measured: p.sample.ttftSeconds })));
  return tpot + TTFT_WEIGHT * ttft;
}

/** Per engine: the constants that best explain its rows, the kernels' fits held fixed. */
export function fitEngines(base: Calibration, rows: readonly Priced[]): Record<EngineName, EngineFit> {
  const engines = { ...base.engines };
  for (const engine of ENGINE_NAMES) {
    const mine = rows.filter((r) => r.sample.engine === engine);
    if (mine.length === 0) continue;
    const fitOf = (x: readonly number[]): EngineFit => ({
      iterationSeconds: positive(x[0]!),
      attentionSequenceSeconds: positive(x[1]!),
      allReduceLatencySeconds: positive(x[2]!),
      requestSeconds: positive(x[3]!),
      attentionEfficiency: fraction(x[4]!),
      burstFraction: fraction(x[5]!),
    });
    const objective = (x: readonly number[]): number =>
      loss(predict({ ...base, engines: { ...engines, [engine]: fitOf(x) } }, mine));
    const start = [Math.log(1e-3), Math.log(1e-6), Math.log(8e-6), Math.log(0.02), logit(0.8), logit(0.2)];
    engines[engine] = fitOf(nelderMead(objective, start, { step: 1, maxIterations: 1500 }).x);
  }
  return engines;
}

export interface ServingError {
  readonly group: string;
  readonly rows: number;
  readonly tpotMape: number;
  readonly ttftMape: number;
}

/** MAPE of TPOT and TTFT by `key` of each prediction. */
export function errorsBy(predictions: readonly Prediction[], key: (s: ServingSample) => string): ServingError[] {
  const groups = new Map<string, Prediction[]>();
  for (const p of predictions) groups.set(key(p.sample), [...(groups.get(key(p.sample)) ?? []), p]);
  return [...groups]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, ps]) => ({
      group,
      rows: ps.length,
      tpotMape: mape(ps.map((p) => ({ predicted: p.tpotSeconds, measured: p.sample.tpotSeconds }))),
      ttftMape: mape(ps.map((p) => ({ predicted: p.ttftSeconds, measured: p.sample.ttftSeconds }))),
    }));
}

/** Fit on every model but one, predict that one: the error on deployments the fit never saw. */
export function leaveOneModelOut(base: Calibration, rows: readonly Priced[]): Prediction[] {
  const models = [...new Set(rows.map((r) => r.sample.model))];
  return models.flatMap((model) => {
    const engines = fitEngines(
      base,
      rows.filter((r) => r.sample.model !== model),
    );
    return predict(
      { ...base, engines },
      rows.filter((r) => r.sample.model === model),
    );
  });
}
