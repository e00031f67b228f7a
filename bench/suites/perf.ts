import { Bench } from 'tinybench';
import { checkDeployment, LATENCY_MODELS, type Batch, type IterationPricer } from '../../sim/perf/index.ts';
import type { BenchSuite } from '../suite.ts';
import { medianMs } from '../stats.ts';

const PRICES = 1_000_000;

function pricer(model: keyof typeof LATENCY_MODELS): IterationPricer {
  const checked = checkDeployment({ model: 'llama-3.1-70b', gpu: 'H100-SXM-80GB', tp: 4, dtype: 'fp8' });
  if (!checked.ok) throw new Error(checked.message);
  return LATENCY_MODELS[model].create(checked.deployment);
}

/** 64 sequences as a serving engine batches them: 62 decodes at assorted contexts and 2 prefill chunks. */
const BATCH: Batch = {
  prefill: [
    { tokens: 512, cached: 0 },
    { tokens: 1024, cached: 2048 },
  ],
  decode: Array.from({ length: 62 }, (_, i) => 200 + ((i * 977) % 7000)),
};

/** A million prices of slightly different batches (one decode's context moves), so nothing is constant-folded. */
function priceMany(p: IterationPricer): number {
  const decode = BATCH.decode.slice();
  const batch: Batch = { prefill: BATCH.prefill, decode };
  let sum = 0;
  for (let i = 0; i < PRICES; i++) {
    decode[i % 62] = 200 + (i & 4095);
    sum += p.seconds(batch);
  }
  return sum;
}

const suite: BenchSuite = {
  name: 'perf',
  description: `${PRICES.toLocaleString('en')} iteration prices of a 64-sequence batch (Llama-3.1-70B FP8, TP 4 on H100)`,
  async run(log) {
    const calibrated = pricer('calibrated');
    const roofline = pricer('roofline');
    const bench = new Bench({ iterations: 7, warmupIterations: 2, time: 0, warmupTime: 0 });
    bench.add('calibrated', () => void priceMany(calibrated));
    bench.add('roofline', () => void priceMany(roofline));
    await bench.run();
    const rate = (name: string): number => Math.round(PRICES / (medianMs(bench, name) / 1000));
    const figures = { stepsPerSecond: rate('calibrated'), rooflineStepsPerSecond: rate('roofline') };
    log(
      `  calibrated ${figures.stepsPerSecond.toLocaleString('en')} prices/s, roofline ${figures.rooflineStepsPerSecond.toLocaleString('en')}`,
    );
    return figures;
  },
};

export default suite;
