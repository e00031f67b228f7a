import { Bench } from 'tinybench';
import { Random } from '../../sim/engine/index.ts';
import { checkDeployment, LATENCY_MODELS } from '../../sim/perf/index.ts';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { simulateServing, syntheticRequests, TraceRequests, type ServingResult } from '../../sim/serving/index.ts';
import { fileLines } from '../../src/serving/trace-file.ts';
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

const AZURE = fileURLToPath(new URL('../../data/traces/AzureLLMInferenceTrace_code.csv', import.meta.url));

/** The one-hour Azure 2023 code trace (8,819 requests) on 4 replicas, read from the file as it runs. */
function azureHour(): ServingResult {
  const requests = new TraceRequests(fileLines(AZURE), 'azure');
  const result = simulateServing({ pricer: pricer(), replicas: 4, router: 'least-outstanding', requests });
  if (requests.problem || result.completed !== 8_819) throw new Error('the Azure trace did not replay whole');
  return result;
}

const STREAM = fileURLToPath(new URL('../workloads/trace-stream.ts', import.meta.url));

/** 5 M synthetic Azure-format rows streamed from a file, in a process of its own so its peak RSS is the run's. */
async function streamed(): Promise<{ peakMiB: number; seconds: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', STREAM, '5000000'], {
    maxBuffer: 1 << 20,
  });
  const r = JSON.parse(stdout) as { requests: number; completed: number; seconds: number; peakMiB: number };
  if (r.completed !== r.requests) throw new Error('the streamed trace did not complete');
  return r;
}

const suite: BenchSuite = {
  name: 'serving',
  description:
    'the request-level serving simulation: a saturated 8-replica run, the Azure code trace hour on 4 replicas, 5 M streamed requests',
  async run(log) {
    let tokens = 0;
    const bench = new Bench({ iterations: 3, warmupIterations: 1, time: 0, warmupTime: 0 });
    bench.add('saturated', () => void (tokens = saturated().total_output_tokens!));
    bench.add('azure', () => void azureHour());
    await bench.run();
    const stream = await streamed();
    const figures = {
      tokensPerSecond: Math.round(tokens / (medianMs(bench, 'saturated') / 1000)),
      azureHourSeconds: Number((medianMs(bench, 'azure') / 1000).toFixed(3)),
      peakMiB: Math.round(stream.peakMiB),
      streamSeconds: Number(stream.seconds.toFixed(1)),
    };
    log(
      `  ${figures.tokensPerSecond.toLocaleString('en')} simulated output tokens/s; Azure hour in ${figures.azureHourSeconds} s; 5 M streamed requests in ${figures.streamSeconds} s at ${figures.peakMiB} MiB peak`,
    );
    return figures;
  },
};

export default suite;
