import { Bench } from 'tinybench';
import { Scheduler } from '../../sim/scheduler/index.ts';
import type { BenchSuite, Figures } from '../suite.ts';
import { medianMs } from '../stats.ts';
import { gangLoad, type GangLoad } from '../workloads/gang-load.ts';

const SIZES = [
  { nodes: 500, iterations: 15, figure: 'podsPerSecond500' },
  { nodes: 5000, iterations: 7, figure: 'podsPerSecond' },
  { nodes: 50000, iterations: 3, figure: 'podsPerSecond50000' },
] as const;

interface Outcome {
  placedPods: number;
  evictions: number;
  pendingGangs: number;
  allocatedGpus: number;
}

/** Replays the arrival batches: submit a batch, run one scheduling cycle (allocate, reclaim, preempt), repeat. */
function replay(load: GangLoad): Outcome {
  const scheduler = new Scheduler(load.cluster, load.departments);
  let now = 0;
  let placedPods = 0;
  let evictions = 0;
  for (const batch of load.batches) {
    for (const gang of batch) scheduler.submit(gang, now);
    const report = scheduler.cycle(now);
    for (const gang of report.placed) placedPods += gang.spec.pods.length;
    evictions += report.evictions.length;
    now += 1_000_000;
  }
  const allocatedGpus = load.cluster.layout.pools.reduce(
    (sum, p) => sum + load.cluster.readyGpus(p.index) - load.cluster.domainFree(p.root).gpus,
    0,
  );
  return { placedPods, evictions, pendingGangs: scheduler.pendingCount, allocatedGpus };
}

const suite: BenchSuite = {
  name: 'scheduler',
  description:
    'gang scheduling, quotas and topology on: 10 pods per 8-GPU node arriving in 100 batches, at 500 / 5,000 / 50,000 nodes',
  async run(log) {
    const figures: Figures = {};
    for (const size of SIZES) {
      let load: GangLoad | undefined;
      let outcome: Outcome | undefined;
      const bench = new Bench({ iterations: size.iterations, warmupIterations: 1, time: 0, warmupTime: 0 });
      const name = `${size.nodes} nodes`;
      // A fresh cluster for every run; building it is not part of the measured time.
      bench.add(name, () => void (outcome = replay(load!)), { beforeEach: () => void (load = gangLoad(size.nodes)) });
      await bench.run();
      const seconds = medianMs(bench, name) / 1000;
      const rate = Math.round(outcome!.placedPods / seconds);
      figures[size.figure] = rate;
      if (size.nodes === 5000) {
        figures.placedPods = outcome!.placedPods;
        figures.requestedGpus = Math.round(load!.requestedGpus);
        figures.capacityGpus = size.nodes * 8;
        figures.allocatedGpus = Math.round(outcome!.allocatedGpus);
        figures.pendingGangs = outcome!.pendingGangs;
        figures.evictions = outcome!.evictions;
        figures.wallMs = Math.round(seconds * 1000);
      }
      log(
        `scheduler: ${name}: ${rate.toLocaleString('en')} pods/s (median of ${size.iterations}, ${outcome!.placedPods} pods placed)`,
      );
    }
    const r500 = figures.podsPerSecond500 as number;
    const r50k = figures.podsPerSecond50000 as number;
    figures.ratio50000To500 = Math.round((r50k / r500) * 100) / 100;
    figures.meetsTarget = (figures.podsPerSecond as number) >= 100_000 && r50k >= r500 / 2;
    return figures;
  },
};

export default suite;
