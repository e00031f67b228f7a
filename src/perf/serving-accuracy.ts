/**
 * `npm run accuracy`: replays every calibration deployment (data/calibration/) through the request-level serving
 * simulation — one replica, vLLM-style `--max-concurrency C` with all prompts sent at once, ⌈1 / burst fraction⌉
 * rounds of C requests — and prints TPOT and TTFT MAPE against the measurements, per engine, model and GPU.
 */
import { Random } from '../../sim/engine/index.ts';
import { CALIBRATION, IterationPricer } from '../../sim/perf/index.ts';
import { errorsBy, priceable, type Prediction } from '../../sim/perf/fit/end-to-end.ts';
import { simulateServing, syntheticRequests } from '../../sim/serving/index.ts';
import { readServingSamples } from './calibration-files.ts';

const { samples } = readServingSamples('aiconfigurator_silicon_calibration.csv');
const { usable } = priceable(samples);
const predictions: Prediction[] = usable.map(({ sample, deployment }) => {
  const rounds = Math.max(1, Math.round(1 / Math.max(CALIBRATION.engines[sample.engine].burstFraction, 0.01)));
  const result = simulateServing({
    pricer: new IterationPricer(deployment, CALIBRATION),
    replicas: 1,
    router: 'round-robin',
    maxConcurrency: sample.concurrency,
    requests: syntheticRequests(
      new Random(1),
      sample.concurrency * rounds,
      { kind: 'burst' },
      { kind: 'fixed', tokens: sample.inputTokens },
      { kind: 'fixed', tokens: sample.outputTokens },
    ),
  });
  return { sample, ttftSeconds: result.mean_ttft_ms! / 1000, tpotSeconds: result.mean_tpot_ms! / 1000 };
});
const rows = [
  ...errorsBy(predictions, (s) => `${s.engine} ${s.model} ${s.gpu}`),
  ...errorsBy(predictions, () => 'all'),
];
const pct = (x: number): string => `${x.toFixed(1)}%`;
process.stdout.write(
  `| engine model GPU | rows | TPOT MAPE | TTFT MAPE |\n|---|---|---|---|\n${rows
    .map((e) => `| ${e.group} | ${e.rows} | ${pct(e.tpotMape)} | ${pct(e.ttftMape)} |`)
    .join('\n')}\n`,
);
