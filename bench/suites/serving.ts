import { Bench } from 'tinybench';
import { Random } from '../../sim/engine/index.ts';
import { checkDeployment, LATENCY_MODELS } from '../../sim/perf/index.ts';
import { simulateServing, syntheticRequests, type ServingResult } from '../../sim/serving/index.ts';
import type { BenchSuite } from '../suite.ts';
import { medianMs } from '../stats.ts';

function pricer() {
  const checked = checkDeployment({ model: 'llama-3.1-70b', gpu: 'H100-SXM-80GB', tp: 4 });
  if (!checked.ok) throw new Error(checked.message);
  return LATENCY_MODELS.calibrated.create(checked.deployment);
}

/** A saturated run: 8 replicas, 16,000 requests of 1,024 + 512 tokens all sent at once. */
function saturated(): ServingResult {
  return simulateServing({
    pricer: pricer(),
    replicas: 8,
    router: 'least-outstanding',
    requests: syntheticRequests(
      new Random(1),
      16_000,
      { kind: 'burst' },
      { kind: 'fixed', tokens: 1024 },
      { kind: 'fixed', tokens: 512 },
    ),
  });
}

/** An hour of Poisson traffic at the Azure code trace's mean rate (8,819 requests) on 4 replicas. */
function hour(): ServingResult {
  return simulateServing({
    pricer: pricer(),
    replicas: 4,
    router: 'least-outstanding',
    requests: syntheticRequests(
      new Random(2),
      8_819,
      { kind: 'gamma', rate: 8_819 / 3600, burstiness: 1 },
      { kind: 'random', tokens: 2048, rangeRatio: 0.9 },
      { kind: 'random', tokens: 28, rangeRatio: 0.9 },
    ),
  });
}

const suite: BenchSuite = {
  name: 'serving',
  description: 'the request-level serving simulation: a saturated 8-replica run and a synthetic hour on 4 replicas',
  async run(log) {
    let tokens = 0;
    const bench = new Bench({ iterations: 3, warmupIterations: 1, time: 0, warmupTime: 0 });
    bench.add('saturated', () => void (tokens = saturated().total_output_tokens!));
    bench.add('hour', () => void hour());
    await bench.run();
    const figures = {
      tokensPerSecond: Math.round(tokens / (medianMs(bench, 'saturated') / 1000)),
      syntheticHourSeconds: Number((medianMs(bench, 'hour') / 1000).toFixed(3)),
    };
    log(
      `  ${figures.tokensPerSecond.toLocaleString('en')} simulated output tokens/s; synthetic hour in ${figures.syntheticHourSeconds} s`,
    );
    return figures;
  },
};

export default suite;
