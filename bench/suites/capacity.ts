import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { searchCapacity, type CapacityAnswer, type StepRunner } from '../../sim/capacity/index.ts';
import { capacityPool } from '../../src/capacity/pool.ts';
import { buildQuestion } from '../../src/capacity/question.ts';
import { TraceRequests } from '../../sim/serving/index.ts';
import type { BenchSuite } from '../suite.ts';

const AZURE = fileURLToPath(new URL('../../data/traces/AzureLLMInferenceTrace_code.csv', import.meta.url));

/** The issue's search: Llama-3.1-70B on the Azure code hour, p90 TTFT <= 2 s and p99 TPOT <= 200 ms. */
function search(runner?: StepRunner): Promise<CapacityAnswer> {
  const built = buildQuestion({
    model: 'llama-3.1-70b',
    requests: [...new TraceRequests(readFileSync(AZURE, 'utf8').split('\n'), 'azure')],
    slo: ['ttft:p90<=2000ms', 'tpot:p99<=200ms'],
    gpus: ['A100-SXM-80GB', 'H100-SXM-80GB', 'H200-SXM-141GB'],
    tp: [1, 2, 4, 8],
    pp: [1, 2],
    maxNumSeqs: [64, 128, 256],
  });
  if (!built.ok) throw new Error(built.message);
  return searchCapacity(built.question, runner ? { runner } : {});
}

const suite: BenchSuite = {
  name: 'capacity',
  description: 'capacity search: Llama-3.1-70B over 3 GPUs x TP 1-8 x PP 1-2 x 3 max_num_seqs on the Azure code hour',
  async run(log) {
    const median = async (runner?: StepRunner) => {
      const runs: number[] = [];
      let last: CapacityAnswer | undefined;
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        last = await search(runner);
        runs.push((performance.now() - start) / 1000);
      }
      return { seconds: runs.sort((a, b) => a - b)[1]!, answer: last! };
    };
    const one = await median();
    const pool = capacityPool();
    const all = await median(pool).finally(() => pool.close());
    if (JSON.stringify(all.answer) !== JSON.stringify(one.answer)) throw new Error('threads changed the answer');
    const answer = one.answer;
    const best = answer.best;
    const figures = {
      searchSeconds: Number(all.seconds.toFixed(2)),
      searchSecondsOneThread: Number(one.seconds.toFixed(2)),
      threads: pool.threads,
      candidates: answer.candidates.length,
      simulations: answer.simulations,
      bestGpus: best?.gpus ?? 0,
      bestCostPerHour: best?.costPerHour ?? 0,
    };
    log(
      `  ${figures.candidates} candidates, ${figures.simulations} simulations in ${figures.searchSeconds} s (median of 3, ${figures.threads} threads; one thread ${figures.searchSecondsOneThread} s); best ${best ? `${best.replicas} x ${best.shape.gpu} TP ${best.shape.tp}, $${best.costPerHour}/h` : 'none'}`,
    );
    return figures;
  },
};

export default suite;
