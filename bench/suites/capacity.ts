import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_PRICES_PER_GPU_HOUR,
  parseSloBound,
  searchCapacity,
  type CapacityAnswer,
} from '../../sim/capacity/index.ts';
import { TraceRequests } from '../../sim/serving/index.ts';
import type { BenchSuite } from '../suite.ts';

const AZURE = fileURLToPath(new URL('../../data/traces/AzureLLMInferenceTrace_code.csv', import.meta.url));
const GPUS = ['A100-SXM-80GB', 'H100-SXM-80GB', 'H200-SXM-141GB'];

/** The issue's search: Llama-3.1-70B on the Azure code hour, p90 TTFT <= 2 s and p99 TPOT <= 200 ms. */
function search(): CapacityAnswer {
  const requests = [...new TraceRequests(readFileSync(AZURE, 'utf8').split('\n'), 'azure')];
  const slo = ['ttft:p90<=2000ms', 'tpot:p99<=200ms'].map((text) => {
    const parsed = parseSloBound(text);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.value;
  });
  return searchCapacity({
    model: 'llama-3.1-70b',
    requests,
    slo,
    gpus: GPUS.map((gpu) => ({ gpu, pricePerHour: DEFAULT_PRICES_PER_GPU_HOUR[gpu]! })),
    tp: [1, 2, 4, 8],
    pp: [1, 2],
    engines: ['vllm'],
    maxNumSeqs: [64, 128, 256],
    routers: ['least-outstanding'],
  });
}

const suite: BenchSuite = {
  name: 'capacity',
  description: 'capacity search: Llama-3.1-70B over 3 GPUs x TP 1-8 x PP 1-2 x 3 max_num_seqs on the Azure code hour',
  async run(log) {
    const runs: number[] = [];
    let answer: CapacityAnswer | undefined;
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      answer = search();
      runs.push((performance.now() - start) / 1000);
    }
    runs.sort((a, b) => a - b);
    const best = answer!.best;
    const figures = {
      searchSeconds: Number(runs[1]!.toFixed(2)),
      candidates: answer!.candidates.length,
      simulations: answer!.simulations,
      bestGpus: best?.gpus ?? 0,
      bestCostPerHour: best?.costPerHour ?? 0,
    };
    log(
      `  ${figures.candidates} candidates, ${figures.simulations} simulations in ${figures.searchSeconds} s (median of 3); best ${best ? `${best.replicas} x ${best.shape.gpu} TP ${best.shape.tp}, $${best.costPerHour}/h` : 'none'}`,
    );
    return figures;
  },
};

export default suite;
